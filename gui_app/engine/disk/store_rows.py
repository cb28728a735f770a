"""How a download's record lies in the store's table: the schema and its migrations,
each part's columns and the statement that writes them alone (``record``: one writer per
part), and the values to and from those columns. No connection here: ``store`` holds it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from gui_app.engine.api.cookies import Cookie
from gui_app.engine.api.folder_rule import Category, CategoryFolders
from gui_app.engine.api.models import (
    MAX_CONNECTIONS,
    Checksum,
    DownloadState,
    Login,
    PauseReason,
    Problem,
    Request,
    Validators,
)
from gui_app.engine.api.record import DownloadRecord, Progress, Remote, Status
from gui_app.ground.byteranges import ByteRange, merge

log = logging.getLogger(__name__)

SCHEMA_VERSION = 8

SCHEMA = """
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
# A folder rule (about 0.7 KB) is kept once, and a row names it by number: it was copied
# into every row, and with the row into every event and snapshot.
_V8 = """
CREATE TABLE folder_rules (id INTEGER PRIMARY KEY, rule TEXT NOT NULL UNIQUE);
INSERT OR IGNORE INTO folder_rules (rule)
    SELECT DISTINCT sort_into FROM downloads WHERE sort_into IS NOT NULL;
UPDATE downloads SET sort_into = (SELECT id FROM folder_rules WHERE rule = downloads.sort_into)
    WHERE sort_into IS NOT NULL
"""
MIGRATIONS = (SCHEMA, _V2, _V3, _V4, _V5, _V6, _V7, _V8)
KEEP_RULE = "INSERT OR IGNORE INTO folder_rules (rule) VALUES (?)"
RULE_NUMBER = "SELECT id FROM folder_rules WHERE rule = ?"
RULE_OF = "SELECT rule FROM folder_rules WHERE id = ?"

# Each part of a record (``record``) has columns of its own, written by its owner alone.
REQUEST = ("url", "dest_dir", "filename", "connections", "checksum", "headers", "rate_limit",
            "login", "proxy", "sort_into", "cookies")  # fmt: skip
_REMOTE = ("final_url", "size", "etag", "last_modified", "content_type", "resumable",
           "chosen_name", "folder", "set_cookies")  # fmt: skip
_PROGRESS = ("done", "part_id")
_STATUS = ("state", "error", "pause_reason", "problem", "completed_at")
COLUMNS = ", ".join(("id", *REQUEST, *_REMOTE, *_PROGRESS, *_STATUS, "queue_order",
                      "created_at", "updated_at"))  # fmt: skip
_NOT_COMPLETED = f" AND state != '{DownloadState.COMPLETED.value}'"


def _update(columns: tuple[str, ...], *, guarded: bool) -> str:
    """The UPDATE of one part's columns (and the time), by id; ``guarded``: never over a
    row that is completed (another process may have completed it)."""
    assignments = ", ".join(f"{name}=?" for name in columns)
    where = " WHERE id=?" + (_NOT_COMPLETED if guarded else "")
    return f"UPDATE downloads SET {assignments}, updated_at=?{where}"


SAVE_REQUEST = _update(REQUEST, guarded=True)
SAVE_REMOTE = _update(_REMOTE + _PROGRESS, guarded=False)
SAVE_PROGRESS = _update(_PROGRESS, guarded=False)
SAVE_STATUS = _update(_STATUS, guarded=True)


def request_values(request: Request) -> tuple[object, ...]:
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
        request.sort_into,
        _dump_cookies(request.cookies),
    )


def remote_values(remote: Remote) -> tuple[object, ...]:
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


def progress_values(progress: Progress) -> tuple[object, ...]:
    return _dump_ranges(progress.done), progress.part_id


def status_values(status: Status) -> tuple[object, ...]:
    return (
        status.state.value,
        status.error,
        None if status.pause_reason is None else status.pause_reason.value,
        None if status.problem is None else status.problem.value,
        status.completed_at,
    )


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
    fields = [
        [c.name, c.value, c.domain, c.host_only, c.path, c.secure, c.expires] for c in cookies
    ]
    return json.dumps(fields)


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


def dump_rule(rule: CategoryFolders) -> str:
    """A folder rule as the ``folder_rules`` table keeps it (one text per rule)."""
    categories = [[c.name, list(c.extensions), list(c.patterns), c.folder] for c in rule.categories]
    return json.dumps({"base": str(rule.base), "categories": categories})


def load_rule(text: object) -> CategoryFolders:
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


_NO_VALIDATORS = Validators()


def record_of(row: tuple[object, ...], folders: dict[object, Path]) -> DownloadRecord:
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
        # An older row may ask for more than MAX_CONNECTIONS: capped, never refused.
        connections=max(1, min(int(connections), MAX_CONNECTIONS)),  # type: ignore[call-overload]  # sqlite returns untyped values
        checksum=None if checksum is None else Checksum.parse(str(checksum)),
        headers=()
        if headers == "[]"
        else tuple((str(k), str(v)) for k, v in json.loads(str(headers))),
        rate_limit=None if rate_limit is None else int(rate_limit),  # type: ignore[call-overload]  # as above
        login=_load_login(login),
        proxy=None if proxy is None else str(proxy),
        sort_into=None if sort_into is None else int(sort_into),  # type: ignore[call-overload]  # sqlite returns untyped values
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
