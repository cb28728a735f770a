"""The persistent state: every download's record and the app's settings, in SQLite (WAL).

One file in the data dir, shared by the GUI and the CLI (WAL and a busy timeout make two
processes safe). Every write is one transaction with ``synchronous=FULL``. A file that
cannot be read, or that a newer Rangeload wrote, is moved aside with a warning and a fresh
store opens: the user loses the list, never the app.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from gui_app import paths
from gui_app.engine.models import (
    Checksum,
    DownloadId,
    DownloadRecord,
    DownloadRequest,
    DownloadState,
    Validators,
)
from gui_app.engine.ranges import ByteRange
from gui_app.engine.segments import merge

__all__ = ["SCHEMA_VERSION", "STORE_NAME", "Store", "StoreError"]

log = logging.getLogger(__name__)

STORE_NAME = "rangeload.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS downloads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    dest_dir TEXT NOT NULL,
    state TEXT NOT NULL,
    filename TEXT,
    final_url TEXT,
    size INTEGER,
    etag TEXT,
    last_modified TEXT,
    content_type TEXT,
    resumable INTEGER,
    done TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    checksum TEXT,
    connections INTEGER NOT NULL DEFAULT 8,
    rate_limit INTEGER,
    headers TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    completed_at REAL
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_COLUMNS = (
    "id, url, dest_dir, state, filename, final_url, size, etag, last_modified, content_type,"
    " resumable, done, error, checksum, connections, rate_limit, headers, created_at,"
    " updated_at, completed_at"
)


class StoreError(Exception):
    """The store could not be opened even after setting the old file aside."""


class Store:
    """Thread-safe access to the state file; use one instance per process."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        self._clock = clock
        self._lock = threading.RLock()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, _NewerSchemaError) as error:
            self.recovered_from = self._set_aside(error)
            self._db = self._open()

    @classmethod
    def default(cls) -> Store:
        return cls(paths.data_dir() / STORE_NAME)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _NewerSchemaError(
                    f"written by a newer Rangeload (schema {version} > {SCHEMA_VERSION})"
                )
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            if version < SCHEMA_VERSION:
                self._migrate(db, version)
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection, version: int) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            if version < 1:
                # executescript would commit the open transaction; run them one by one.
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _set_aside(self, error: Exception) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self._clock()))
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                source.replace(Path(str(target) + suffix))
        log.warning(
            "the download list in %s could not be read (%s); it was moved to %s and a new, "
            "empty list was started",
            self.path,
            error,
            target,
        )
        return target

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- downloads ---------------------------------------------------------------------

    def add(self, request: DownloadRequest, state: DownloadState) -> DownloadRecord:
        now = self._clock()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO downloads (url, dest_dir, state, filename, checksum, connections,"
                " rate_limit, headers, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    request.url,
                    str(request.dest_dir),
                    state.value,
                    request.filename,
                    None if request.checksum is None else str(request.checksum),
                    request.connections,
                    request.rate_limit,
                    json.dumps([list(h) for h in request.headers]),
                    now,
                    now,
                ),
            )
            row_id = cursor.lastrowid
        assert row_id is not None
        record = self.get(row_id)
        assert record is not None
        return record

    def save(self, record: DownloadRecord) -> DownloadRecord:
        """Write every field of ``record``; returns it with ``updated_at`` set."""
        now = self._clock()
        with self._transaction() as db:
            db.execute(
                "UPDATE downloads SET url=?, dest_dir=?, state=?, filename=?, final_url=?,"
                " size=?, etag=?, last_modified=?, content_type=?, resumable=?, done=?,"
                " error=?, checksum=?, connections=?, rate_limit=?, headers=?, updated_at=?,"
                " completed_at=? WHERE id=?",
                (
                    record.url,
                    str(record.dest_dir),
                    record.state.value,
                    record.filename,
                    record.final_url,
                    record.size,
                    record.validators.etag,
                    record.validators.last_modified,
                    record.content_type,
                    None if record.resumable is None else int(record.resumable),
                    _dump_ranges(record.done),
                    record.error,
                    None if record.checksum is None else str(record.checksum),
                    record.connections,
                    record.rate_limit,
                    json.dumps([list(h) for h in record.headers]),
                    now,
                    record.completed_at,
                    record.id,
                ),
            )
        return replace(record, updated_at=now)

    def get(self, download_id: DownloadId) -> DownloadRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM downloads WHERE id = ?", (download_id,)
            ).fetchone()
        return None if row is None else _record(row)

    def all(self) -> list[DownloadRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM downloads ORDER BY id").fetchall()
        return [_record(row) for row in rows]

    def remove(self, download_id: DownloadId) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM downloads WHERE id = ?", (download_id,))

    # -- settings ----------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


class _NewerSchemaError(Exception):
    pass


def _dump_ranges(ranges: tuple[ByteRange, ...]) -> str:
    return json.dumps([[r.first, r.last] for r in ranges], separators=(",", ":"))


def _load_ranges(text: str) -> tuple[ByteRange, ...]:
    return merge(ByteRange(int(a), int(b)) for a, b in json.loads(text))


def _record(row: tuple[object, ...]) -> DownloadRecord:
    (
        id_, url, dest_dir, state, filename, final_url, size, etag, last_modified,
        content_type, resumable, done, error, checksum, connections, rate_limit, headers,
        created_at, updated_at, completed_at,
    ) = row  # fmt: skip
    return DownloadRecord(
        id=int(id_),  # type: ignore[call-overload]  # sqlite returns untyped values
        url=str(url),
        dest_dir=Path(str(dest_dir)),
        state=DownloadState(state),
        filename=None if filename is None else str(filename),
        final_url=None if final_url is None else str(final_url),
        size=None if size is None else int(size),  # type: ignore[call-overload]  # as above
        validators=Validators(
            None if etag is None else str(etag),
            None if last_modified is None else str(last_modified),
        ),
        content_type=None if content_type is None else str(content_type),
        resumable=None if resumable is None else bool(resumable),
        done=_load_ranges(str(done)),
        error=None if error is None else str(error),
        checksum=None if checksum is None else Checksum.parse(str(checksum)),
        connections=int(connections),  # type: ignore[call-overload]  # as above
        rate_limit=None if rate_limit is None else int(rate_limit),  # type: ignore[call-overload]  # as above
        headers=tuple((str(k), str(v)) for k, v in json.loads(str(headers))),
        created_at=float(created_at),  # type: ignore[arg-type]  # as above
        updated_at=float(updated_at),  # type: ignore[arg-type]  # as above
        completed_at=None if completed_at is None else float(completed_at),  # type: ignore[arg-type]  # as above
    )
