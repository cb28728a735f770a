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

from gui_app import paths
from gui_app.byteranges import ByteRange, merge
from gui_app.categories import Category, CategoryFolders
from gui_app.engine.cookies import Cookie
from gui_app.engine.group_commit import GroupCommit
from gui_app.engine.models import (
    Checksum,
    DownloadId,
    DownloadRequest,
    DownloadState,
    Login,
    PauseReason,
    Problem,
    Request,
    Validators,
)
from gui_app.engine.record import DownloadRecord, Progress, Remote, Status

__all__ = ["SCHEMA_VERSION", "STORE_NAME", "Store", "StoreError", "StoreWriteError"]

log = logging.getLogger(__name__)

STORE_NAME = "rangeload.sqlite3"
SCHEMA_VERSION = 7
BUSY_TIMEOUT = 10.0

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
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)
"""
_V2 = """
ALTER TABLE downloads ADD COLUMN part_id TEXT;
ALTER TABLE downloads ADD COLUMN pause_reason TEXT;
CREATE TABLE IF NOT EXISTS set_aside (
    id INTEGER, row TEXT NOT NULL, reason TEXT NOT NULL, at REAL NOT NULL
)
"""
_V3 = """
ALTER TABLE downloads ADD COLUMN login TEXT;
ALTER TABLE downloads ADD COLUMN proxy TEXT;
ALTER TABLE downloads ADD COLUMN problem TEXT
"""
_V4 = """
ALTER TABLE downloads ADD COLUMN queue_order REAL NOT NULL DEFAULT 0;
UPDATE downloads SET queue_order = id
"""
_V5 = """
ALTER TABLE downloads ADD COLUMN sort_into TEXT
"""
_V6 = """
ALTER TABLE downloads ADD COLUMN cookies TEXT NOT NULL DEFAULT '[]'
"""

_V7 = """
ALTER TABLE downloads ADD COLUMN chosen_name TEXT;
ALTER TABLE downloads ADD COLUMN folder TEXT;
ALTER TABLE downloads ADD COLUMN set_cookies TEXT NOT NULL DEFAULT '[]';
UPDATE downloads SET chosen_name = filename
    WHERE filename IS NOT NULL
    AND (resumable IS NOT NULL OR part_id IS NOT NULL OR state = 'completed');
UPDATE downloads SET sort_into = NULL WHERE chosen_name IS NOT NULL
"""
_MIGRATIONS = (_SCHEMA, _V2, _V3, _V4, _V5, _V6, _V7)

# Each part of a record (``record``) has columns of its own, written by its owner alone.
_REQUEST = ("url", "dest_dir", "filename", "connections", "checksum", "headers", "rate_limit",
            "login", "proxy", "sort_into", "cookies")  # fmt: skip
_REMOTE = ("final_url", "size", "etag", "last_modified", "content_type", "resumable",
           "chosen_name", "folder", "set_cookies")  # fmt: skip
_PROGRESS = ("done", "part_id")
_STATUS = ("state", "error", "pause_reason", "problem", "completed_at")
_COLUMNS = ", ".join(("id", *_REQUEST, *_REMOTE, *_PROGRESS, *_STATUS, "queue_order",
                      "created_at", "updated_at"))  # fmt: skip
_NOT_COMPLETED = f" AND state != '{DownloadState.COMPLETED.value}'"


def _update(columns: tuple[str, ...], *, guarded: bool) -> str:
    """The UPDATE of one part's columns (and the time), by id; ``guarded``: never over a
    row that is completed (another process may have completed it)."""
    assignments = ", ".join(f"{name}=?" for name in columns)
    where = " WHERE id=?" + (_NOT_COMPLETED if guarded else "")
    return f"UPDATE downloads SET {assignments}, updated_at=?{where}"


_SAVE_REQUEST = _update(_REQUEST, guarded=True)
_SAVE_REMOTE = _update(_REMOTE + _PROGRESS, guarded=False)
_SAVE_PROGRESS = _update(_PROGRESS, guarded=False)
_SAVE_STATUS = _update(_STATUS, guarded=True)


def _request_values(request: Request) -> tuple[object, ...]:
    return (
        request.url,
        str(request.dest_dir),
        request.filename,
        request.connections,
        None if request.checksum is None else str(request.checksum),
        _dump_headers(request.headers),
        request.rate_limit,
        _dump_login(request.login),
        request.proxy,
        _dump_sort_into(request.sort_into),
        _dump_cookies(request.cookies),
    )


def _remote_values(remote: Remote) -> tuple[object, ...]:
    return (
        remote.final_url,
        remote.size,
        remote.validators.etag,
        remote.validators.last_modified,
        remote.content_type,
        None if remote.resumable is None else int(remote.resumable),
        remote.filename,
        None if remote.folder is None else str(remote.folder),
        _dump_cookies(remote.cookies),
    )


def _progress_values(progress: Progress) -> tuple[object, ...]:
    return _dump_ranges(progress.done), progress.part_id


def _status_values(status: Status) -> tuple[object, ...]:
    return (
        status.state.value,
        status.error,
        None if status.pause_reason is None else status.pause_reason.value,
        None if status.problem is None else status.problem.value,
        status.completed_at,
    )


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
        self._durable_saves = GroupCommit(self._save_group)
        _owner_only(path)
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, _NewerSchemaError) as error:
            self.recovered_from = self._set_aside(error)
            _owner_only(path)
            self._db = self._open()

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
            # executescript would commit the open transaction; run them one by one.
            for script in _MIGRATIONS[version:]:
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
                    f"SELECT {_COLUMNS} FROM downloads WHERE id IN ({marks})", chunk
                ).fetchall()
        return rows

    @staticmethod
    def _insert(
        db: sqlite3.Connection, request: DownloadRequest, state: DownloadState, now: float
    ) -> int:
        names = ", ".join(_REQUEST)
        cursor = db.execute(
            f"INSERT INTO downloads ({names}, state, created_at, updated_at, queue_order)"
            f" VALUES ({', '.join('?' * len(_REQUEST))}, ?, ?, ?,"
            " (SELECT COALESCE(MAX(queue_order), 0) + 1 FROM downloads))",
            (*_request_values(request), state.value, now, now),
        )
        row_id = cursor.lastrowid
        if row_id is None:
            raise sqlite3.DatabaseError("no row id for a new download")
        return row_id

    # Each part's writer, with an UPDATE of that part's columns alone (see ``record``).
    # ``durable`` False: see the module's docstring. Durable writes from several threads
    # at once share one commit (``group_commit``); each returns once its row is on disk,
    # as if alone.

    def save_request(self, download_id: DownloadId, request: Request) -> None:
        """What the user asked, edited; never over a row another process completed."""
        self._write(_SAVE_REQUEST, _request_values(request), download_id, durable=True)

    def save_remote(
        self, download_id: DownloadId, remote: Remote, progress: Progress, *, durable: bool = True
    ) -> None:
        """What the server taught, with the progress it goes with (one write: the record
        never names a part file without its identity)."""
        values = _remote_values(remote) + _progress_values(progress)
        self._write(_SAVE_REMOTE, values, download_id, durable=durable)

    def save_progress(
        self, download_id: DownloadId, progress: Progress, *, durable: bool = True
    ) -> None:
        self._write(_SAVE_PROGRESS, _progress_values(progress), download_id, durable=durable)

    def save_status(
        self, download_id: DownloadId, status: Status, *, durable: bool = True
    ) -> Status:
        """The manager's part; never over a row another process completed. Returns it
        with ``updated_at`` set."""
        now = self._write(_SAVE_STATUS, _status_values(status), download_id, durable=durable)
        return replace(status, updated_at=now)

    def _write(
        self, statement: str, values: tuple[object, ...], download_id: DownloadId, *,
        durable: bool,
    ) -> float:  # fmt: skip
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
                f"SELECT {_COLUMNS} FROM downloads WHERE id = ?", (download_id,)
            ).fetchone()
        if row is None:
            return None
        records = self._readable([row])
        return records[0] if records else None

    def all(self) -> list[DownloadRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM downloads ORDER BY id").fetchall()
        return self._readable(rows)

    def _readable(self, rows: list[tuple[object, ...]]) -> list[DownloadRecord]:
        """The rows as records; one that cannot be read is moved to ``set_aside``."""
        records = []
        folders: dict[object, Path] = {}  # one Path per folder, shared by its downloads
        for row in rows:
            try:
                records.append(_record(row, folders))
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


def _dump_ranges(ranges: tuple[ByteRange, ...]) -> str:
    return json.dumps([[r.first, r.last] for r in ranges], separators=(",", ":"))


def _load_ranges(text: str) -> tuple[ByteRange, ...]:
    if text == "[]":  # nothing done yet
        return ()
    pairs = [(int(a), int(b)) for a, b in json.loads(text)]
    if all(pairs[i][1] + 1 < pairs[i + 1][0] for i in range(len(pairs) - 1)):
        return tuple(ByteRange(a, b) for a, b in pairs)  # saved merged, as save writes them
    return merge(ByteRange(a, b) for a, b in pairs)


def _dump_headers(headers: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([list(h) for h in headers])


def _dump_login(login: Login | None) -> str | None:
    if login is None:
        return None
    if login.site is not None:  # a saved login's reference: the password is not ours
        return json.dumps([login.user, "", login.site])
    return json.dumps([login.user, login.password])


def _dump_cookies(cookies: tuple[Cookie, ...]) -> str:
    return json.dumps([[c.name, c.value, c.domain, c.host_only, c.path, c.secure, c.expires]
                       for c in cookies])  # fmt: skip


def _load_cookies(text: object) -> tuple[Cookie, ...]:
    if text is None or text == "[]":
        return ()
    return tuple(
        Cookie(
            str(name),
            str(value),
            str(domain),
            bool(host_only),
            str(path),
            bool(secure),
            None if expires is None else float(expires),
        )
        for name, value, domain, host_only, path, secure, expires in json.loads(str(text))
    )


def _dump_sort_into(rule: CategoryFolders | None) -> str | None:
    if rule is None:
        return None
    categories = [[c.name, list(c.extensions), list(c.patterns), c.folder] for c in rule.categories]
    return json.dumps({"base": str(rule.base), "categories": categories})


def _load_sort_into(text: object) -> CategoryFolders | None:
    if text is None:
        return None
    data = json.loads(str(text))
    categories = []
    for name, extensions, patterns, folder in data["categories"]:
        try:
            categories.append(Category(str(name), tuple(extensions), tuple(patterns), folder))
        except ValueError:  # refused since it was stored ('..', a relative folder): left out
            log.warning("a download's category %r is no longer accepted; left out", name)
    return CategoryFolders(Path(data["base"]), tuple(categories))


def _load_login(text: object) -> Login | None:
    if text is None:
        return None
    user, password, *site = json.loads(str(text))
    return Login(str(user), str(password), site=str(site[0]) if site else None)


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


_NO_VALIDATORS = Validators()


def _record(row: tuple[object, ...], folders: dict[object, Path]) -> DownloadRecord:
    """The record in ``row``; ``folders`` keeps one Path per folder across a load (10,000
    downloads in a few folders then cost a few Paths, in memory and over the app's channel)."""
    (
        id_, url, dest_dir, filename, connections, checksum, headers, rate_limit, login, proxy,
        sort_into, cookies,
        final_url, size, etag, last_modified, content_type, resumable, chosen_name, folder,
        set_cookies,
        done, part_id,
        state, error, pause_reason, problem, completed_at, queue_order, created_at, updated_at,
    ) = row  # fmt: skip
    request = Request(
        url=str(url),
        dest_dir=_folder(dest_dir, folders),
        filename=None if filename is None else str(filename),
        connections=int(connections),  # type: ignore[call-overload]  # sqlite returns untyped values
        checksum=None if checksum is None else Checksum.parse(str(checksum)),
        headers=()
        if headers == "[]"
        else tuple((str(k), str(v)) for k, v in json.loads(str(headers))),
        rate_limit=None if rate_limit is None else int(rate_limit),  # type: ignore[call-overload]  # as above
        login=_load_login(login),
        proxy=None if proxy is None else str(proxy),
        sort_into=_load_sort_into(sort_into),
        cookies=_load_cookies(cookies),
    )
    remote = (
        _NO_REMOTE
        if final_url is None and size is None and etag is None and last_modified is None
        and content_type is None and resumable is None and chosen_name is None
        and set_cookies == "[]"
        else Remote(
            final_url=None if final_url is None else str(final_url),
            size=None if size is None else int(size),  # type: ignore[call-overload]  # as above
            validators=_NO_VALIDATORS
            if etag is None and last_modified is None
            else Validators(
                None if etag is None else str(etag),
                None if last_modified is None else str(last_modified),
            ),
            content_type=None if content_type is None else str(content_type),
            resumable=None if resumable is None else bool(resumable),
            filename=None if chosen_name is None else str(chosen_name),
            folder=None if folder is None else _folder(folder, folders),
            cookies=_load_cookies(set_cookies),
        )
    )  # fmt: skip
    progress = (
        _NO_PROGRESS
        if done == "[]" and part_id is None
        else Progress(_load_ranges(str(done)), None if part_id is None else str(part_id))
    )
    status = Status(
        state=DownloadState(state),
        error=None if error is None else str(error),
        pause_reason=None if pause_reason is None else PauseReason(pause_reason),
        problem=None if problem is None else Problem(problem),
        queue_order=float(queue_order),  # type: ignore[arg-type]  # as above
        created_at=float(created_at),  # type: ignore[arg-type]  # as above
        updated_at=float(updated_at),  # type: ignore[arg-type]  # as above
        completed_at=None if completed_at is None else float(completed_at),  # type: ignore[arg-type]  # as above
    )
    return DownloadRecord(int(id_), request, remote, progress, status)  # type: ignore[call-overload]  # as above


def _folder(text: object, folders: dict[object, Path]) -> Path:
    return folders.get(text) or folders.setdefault(text, Path(str(text)))


_NO_REMOTE = Remote()
_NO_PROGRESS = Progress()
