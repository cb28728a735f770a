"""The persistent state: every download's record and the app's settings, in SQLite (WAL).

One file in the data dir, shared by the GUI and the CLI (WAL and a busy timeout make two
processes safe). Every write is one transaction, durable (``synchronous=FULL``: on disk
when it returns) unless its caller says it may wait for the next durable one
(``durable=False``: a state on the way, such as "running", that a power cut may undo
without losing a byte; a crash of the process never does). One that fails raises
``StoreWriteError``. The folder and the files are the owner's only: records
hold credentials. A file that cannot be read, or that a newer Rangeload wrote, is moved
aside with a warning and a fresh store opens; a row that cannot be read is moved to the
``set_aside`` table with a warning. The user loses a row or the list, never the app.
A record's four parts are written each by its owner, with its own columns alone
(``save_request``, ``save_remote``, ``save_progress``, ``save_status``); how they lie in
the table is ``store_rows``'s.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from gui_app.engine.api.folder_rule import CategoryFolders
from gui_app.engine.api.models import (
    DownloadId,
    DownloadRequest,
    DownloadState,
    Request,
)
from gui_app.engine.api.record import DownloadRecord, Progress, Remote, Status
from gui_app.engine.disk import store_rows as layout
from gui_app.engine.disk.group_commit import GroupCommit
from gui_app.engine.disk.store_rows import SCHEMA_VERSION
from gui_app.ground import paths

__all__ = ["SCHEMA_VERSION", "STORE_NAME", "Store", "StoreError", "StoreWriteError"]

log = logging.getLogger(__name__)

STORE_NAME = "rangeload.sqlite3"
BUSY_TIMEOUT = 10.0


class StoreError(Exception):
    """The store could not be opened even after setting the old file aside."""


class StoreWriteError(StoreError):
    """A write failed (disk full, locked by another program too long, read-only)."""


class Store:
    """Thread-safe access to the state file; use one instance per process."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        self.path = path
        self.recovered_from: Path | None = None
        self.set_aside_rows: list[str] = []  # what was set aside, in words, since opening
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._rules: dict[int, CategoryFolders] = {}  # folder rules by number, once read
        self._durable_saves = GroupCommit(self._save_group)
        _owner_only(path)
        try:
            self._db = self._open_patiently()
        except sqlite3.OperationalError as error:  # busy, locked, unreadable: not corrupt
            raise StoreError(f"the download list {path} cannot be opened: {error}") from error
        except (sqlite3.DatabaseError, _NewerSchemaError) as error:
            self.recovered_from = self._set_aside(error)
            _owner_only(path)
            self._db = self._open()

    def _open_patiently(self) -> sqlite3.Connection:
        """``_open``, again while another process holds the file (the app and ``rangeload
        get`` started together; SQLite's busy handler does not wait to change a journal
        mode): a locked file is never taken for a corrupt one and set aside."""
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                return self._open()
            except sqlite3.OperationalError as error:
                busy = "locked" in str(error) or "busy" in str(error)
                if not busy or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    @classmethod
    def default(cls) -> Store:
        return cls(paths.data_dir() / STORE_NAME)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            self._durable = True
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
            # Read again under the write lock: a second process opening the same store
            # at the same moment may have migrated it while this one waited.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            # executescript would commit the open transaction; run them one by one.
            for script in layout.MIGRATIONS[version:]:
                for statement in script.split(";"):
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
    def _transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``durable``: synced to disk at its commit (in WAL mode,
        which also makes every earlier commit durable), else at the next durable one or
        checkpoint."""
        with self._lock:
            try:
                if durable != self._durable:
                    self._db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
                    self._durable = durable
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise StoreWriteError(f"the download list could not be saved: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- downloads ---------------------------------------------------------------------

    def add(self, request: DownloadRequest, state: DownloadState) -> DownloadRecord:
        return self.add_many([(request, state)])[0]

    def add_many(
        self, entries: Sequence[tuple[DownloadRequest, DownloadState]]
    ) -> list[DownloadRecord]:
        """Store new downloads, each in its state, in order, in one durable transaction
        (a list of 1,000 links is one disk sync, not 1,000)."""
        now = self._clock()
        ids: list[int] = []
        with self._transaction() as db:
            for request, state in entries:
                ids.append(self._insert(db, request, state, now))
        records = {r.id: r for r in self._readable(self._rows_of(ids))}
        return [records[DownloadId(i)] for i in ids]

    def _rows_of(self, ids: Sequence[int]) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        with self._lock:
            for start in range(0, len(ids), 500):  # SQLite's limit on parameters is 999+
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self._db.execute(
                    f"SELECT {layout.COLUMNS} FROM downloads WHERE id IN ({marks})", chunk
                ).fetchall()
        return rows

    @staticmethod
    def _insert(
        db: sqlite3.Connection, request: DownloadRequest, state: DownloadState, now: float
    ) -> int:
        names = ", ".join(layout.REQUEST)
        if request.folder_rule is not None:  # kept once; the row names it by number
            text = layout.dump_rule(request.folder_rule)
            db.execute(layout.KEEP_RULE, (text,))
            number = db.execute(layout.RULE_NUMBER, (text,)).fetchone()[0]
            request = replace(request, sort_into=number, folder_rule=None)
        cursor = db.execute(
            f"INSERT INTO downloads ({names}, state, created_at, updated_at, queue_order)"
            f" VALUES ({', '.join('?' * len(layout.REQUEST))}, ?, ?, ?,"
            " (SELECT COALESCE(MAX(queue_order), 0) + 1 FROM downloads))",
            (*layout.request_values(request), state.value, now, now),
        )
        row_id = cursor.lastrowid
        if row_id is None:
            raise sqlite3.DatabaseError("no row id for a new download")
        return row_id

    # Each part's writer, with an UPDATE of that part's columns alone (see ``record``).
    # ``durable`` False: see the module's docstring. Durable writes from several threads
    # at once share one commit (``group_commit``); each returns once its row is on disk,
    # as if alone.

    def folder_rule(self, number: int) -> CategoryFolders | None:
        """The folder rule a download's ``sort_into`` names (None: not kept)."""
        with self._lock:
            rule = self._rules.get(number)
            if rule is None:
                row = self._db.execute(layout.RULE_OF, (number,)).fetchone()
                if row is None:
                    return None
                rule = self._rules[number] = layout.load_rule(row[0])
        return rule

    def save_request(self, download_id: DownloadId, request: Request) -> None:
        """What the user asked, edited; never over a row another process completed."""
        self._write(layout.SAVE_REQUEST, layout.request_values(request), download_id, durable=True)

    def save_remote(
        self, download_id: DownloadId, remote: Remote, progress: Progress, *, durable: bool = True
    ) -> None:
        """What the server taught, with the progress it goes with (one write: the record
        never names a part file without its identity)."""
        values = layout.remote_values(remote) + layout.progress_values(progress)
        self._write(layout.SAVE_REMOTE, values, download_id, durable=durable)

    def save_progress(
        self, download_id: DownloadId, progress: Progress, *, durable: bool = True
    ) -> None:
        self._write(
            layout.SAVE_PROGRESS, layout.progress_values(progress), download_id, durable=durable
        )

    def save_status(
        self, download_id: DownloadId, status: Status, *, durable: bool = True
    ) -> Status:
        """The manager's part; never over a row another process completed. Returns it
        with ``updated_at`` set."""
        now = self._write(
            layout.SAVE_STATUS, layout.status_values(status), download_id, durable=durable
        )
        return replace(status, updated_at=now)

    def _write(
        self,
        statement: str,
        values: tuple[object, ...],
        download_id: DownloadId,
        *,
        durable: bool,
    ) -> float:
        now = self._clock()
        row = (*values, now, download_id)
        if durable:
            self._durable_saves.submit((statement, row))
        else:
            with self._transaction(durable=False) as db:
                db.execute(statement, row)
        return now

    def _save_group(self, group: Sequence[tuple[str, tuple[object, ...]]]) -> None:
        with self._transaction() as db:
            for statement, row in group:
                db.execute(statement, row)

    def set_queue_orders(self, orders: dict[DownloadId, float]) -> None:
        """The queue's new order (the manager's, in its status), in one transaction."""
        with self._transaction() as db:
            rows = [(order, download_id) for download_id, order in orders.items()]
            db.executemany("UPDATE downloads SET queue_order = ? WHERE id = ?", rows)

    def get(self, download_id: DownloadId) -> DownloadRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {layout.COLUMNS} FROM downloads WHERE id = ?", (download_id,)
            ).fetchone()
        if row is None:
            return None
        records = self._readable([row])
        return records[0] if records else None

    def all(self) -> list[DownloadRecord]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {layout.COLUMNS} FROM downloads ORDER BY id"
            ).fetchall()
        return self._readable(rows)

    def _readable(self, rows: list[tuple[object, ...]]) -> list[DownloadRecord]:
        """The rows as records; one that cannot be read is moved to ``set_aside``."""
        records = []
        folders: dict[object, Path] = {}  # one Path per folder, shared by its downloads
        for row in rows:
            try:
                records.append(layout.record_of(row, folders))
            except (ValueError, TypeError, KeyError, OverflowError) as error:
                self._set_row_aside(row, f"{type(error).__name__}: {error}")
        return records

    def _set_row_aside(self, row: tuple[object, ...], reason: str) -> None:
        message = (
            f"download #{row[0]} could not be read ({reason[:200]}); it was set aside in the "
            f"table set_aside of {self.path}"
        )
        log.warning("%s", message)
        self.set_aside_rows.append(message)
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO set_aside (id, row, reason, at) VALUES (?, ?, ?, ?)",
                    (row[0], json.dumps([repr(v) for v in row]), reason, self._clock()),
                )
                db.execute("DELETE FROM downloads WHERE id = ?", (row[0],))
        except StoreWriteError:
            log.warning("download #%s could not be set aside; it is skipped", row[0])

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


def _owner_only(path: Path) -> None:
    """Make the store's folder and files readable by their owner only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.parent.chmod(0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    os.close(fd)
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(path) + suffix).chmod(0o600)
