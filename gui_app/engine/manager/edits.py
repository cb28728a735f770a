"""Changes to a download's record asked by its user: the ``Request`` part's one writer
(new options, a speed limit, connections), and the edits of a stopped (paused or failed)
download: a new address that keeps the bytes only if it serves the same file
(``refresh.check_new_address``) and keeps the old origin's secrets only at that origin
(``origins.options_at``), a start from byte 0, another folder. Those write the record's
``Remote`` and ``Progress`` too, holding the download's task lock (no task runs it
meanwhile, in any process), and ask the manager for the status. Each writes the store,
then the manager's copy, under the manager's lock, and returns the record for the
manager to announce."""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from gui_app.engine.api.errors import FolderMissingError, validate_url
from gui_app.engine.api.models import (
    DIRECT,
    DownloadId,
    DownloadRequest,
    DownloadState,
    QueueMove,
    Request,
    RequestOptions,
)
from gui_app.engine.api.origins import options_at, same_origin
from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.record import DownloadRecord, Progress, Remote, Status
from gui_app.engine.disk.part_move import move_part
from gui_app.engine.disk.store import Store
from gui_app.engine.disk.task_lock import TaskLocks
from gui_app.engine.http import HttpClient
from gui_app.engine.manager.record_table import RecordTable
from gui_app.engine.manager.refresh import check_new_address
from gui_app.ground.naming import sanitize_filename

__all__ = ["RecordEdits", "check_proxy", "checked_request", "moved_orders"]


def check_proxy(proxy: str | None) -> None:
    """Raise InvalidURLError saying what is wrong with a download's own proxy."""
    if proxy is not None and proxy != DIRECT:
        ProxySettings.manual(proxy, "proxy")


def checked_request(request: DownloadRequest) -> DownloadRequest:
    """A new download's request as it is stored: its URL checked, its name made safe, its
    folder there, its own proxy valid; else the error saying what is wrong."""
    url = validate_url(request.url)
    filename = sanitize_filename(request.filename) if request.filename else None
    if not Path(request.dest_dir).is_dir():
        raise FolderMissingError(f"destination folder does not exist: {request.dest_dir}")
    check_proxy(request.proxy)
    return replace(request, url=url, filename=filename)


def moved_orders(
    orders: dict[DownloadId, float], chosen: set[DownloadId], to: QueueMove
) -> dict[DownloadId, float]:
    """The new queue orders of the downloads that move when ``chosen`` go ``to``: only
    those (a move to the top of 10,000 writes the moved rows, not every row)."""
    ranked = sorted(orders, key=lambda i: (orders[i], i))
    picked = [i for i in ranked if i in chosen]
    if not picked or len(picked) == len(ranked):
        return {}
    match to:
        case QueueMove.TOP:
            low = min(orders.values()) - len(picked)
            return {i: low + n for n, i in enumerate(picked)}
        case QueueMove.BOTTOM:
            high = max(orders.values()) + 1
            return {i: high + n for n, i in enumerate(picked)}
    step = -1 if to is QueueMove.UP else 1
    moved = list(ranked)
    # Each chosen one trades places with the neighbour on its side, unless that one is
    # chosen too or it is already at the end (then the block stays together).
    for index in range(len(moved)) if step < 0 else reversed(range(len(moved))):
        other = index + step
        if moved[index] in chosen and 0 <= other < len(moved) and moved[other] not in chosen:
            moved[index], moved[other] = moved[other], moved[index]
    return {i: float(orders[ranked[n]]) for n, i in enumerate(moved) if i != ranked[n]}


def placed_orders(
    orders: dict[DownloadId, float], chosen: set[DownloadId], before: DownloadId | None
) -> dict[DownloadId, float]:
    """The new queue orders when ``chosen`` (keeping their order) go just before
    ``before``, or to the end if None: a drag in the table. Only the moved rows get new
    orders, spread in the gap between their new neighbours; when the gap is too narrow to
    split (after many drags to one place) every row is numbered again."""
    ranked = sorted(orders, key=lambda i: (orders[i], i))
    picked = [i for i in ranked if i in chosen]
    rest = [i for i in ranked if i not in chosen]
    if not picked or not rest or before in chosen:
        return {}
    at = len(rest) if before is None or before not in orders else rest.index(before)
    wanted = rest[:at] + picked + rest[at:]
    if wanted == ranked:
        return {}
    low = orders[rest[at - 1]] if at > 0 else None
    high = orders[rest[at]] if at < len(rest) else None
    count = len(picked)
    if low is None:
        assert high is not None  # rest is not empty
        new = [high - count + n for n in range(count)]
    elif high is None:
        new = [low + 1 + n for n in range(count)]
    else:
        step = (high - low) / (count + 1)
        new = [low + step * (n + 1) for n in range(count)]
    bounds = [low if low is not None else -math.inf, *new, high if high is not None else math.inf]
    if all(a < b for a, b in itertools.pairwise(bounds)):
        return dict(zip(picked, new, strict=True))
    return {i: float(n) for n, i in enumerate(wanted) if orders[i] != n}


class RecordEdits:
    def __init__(
        self,
        store: Store,
        http: HttpClient,
        lock: threading.RLock,
        records: RecordTable,
        running: Callable[[DownloadId], bool],
        locks: TaskLocks,
        set_status: Callable[[DownloadRecord, Status], DownloadRecord],
    ) -> None:
        self._set_status = set_status  # the manager's: it writes the status
        self._store = store
        self._locks = locks
        self._data_dir = store.path.parent
        self._http = http
        self._lock = lock
        self._records = records  # the manager's, guarded by its lock
        self._running = running

    def _stopped(
        self, download_id: DownloadId, doing: str, *, or_queued: bool = False
    ) -> DownloadRecord:
        """The record, if the download is stopped (or queued, if ``or_queued``);
        ValueError otherwise. Under the lock."""
        record = self._records[download_id]
        state = record.state
        allowed = state.is_stopped or (or_queued and state is DownloadState.QUEUED)
        if self._running(download_id) or not allowed:
            which = "queued or paused or failed" if or_queued else "paused or failed"
            raise ValueError(f"only a {which} download {doing}, not a {state.value} one")
        return record

    def set_request(self, download_id: DownloadId, **changes: object) -> DownloadRecord:
        """Change fields of a download's request, also while it runs (its speed limit,
        its connections): the request is the user's, and only here written."""
        with self._lock:
            record = self._records[download_id]
            request = replace(record.request, **changes)  # type: ignore[arg-type]  # fields checked by replace at run time
            return self._keep_request(record, request)

    def _keep_request(self, record: DownloadRecord, request: Request) -> DownloadRecord:
        """Store ``request`` and the manager's copy (lock held)."""
        self._store.save_request(record.id, request)
        record = replace(record, request=request)
        self._records[record.id] = record
        return record

    def set_options(self, download_id: DownloadId, options: RequestOptions) -> DownloadRecord:
        check_proxy(options.proxy)
        with self._lock:
            record = self._records[download_id]
            return self._keep_request(record, record.request.with_options(options))

    def refresh(
        self,
        download_id: DownloadId,
        url: str,
        headers: tuple[tuple[str, str], ...] | None,
        *,
        carry_secrets: bool = False,
    ) -> DownloadRecord:
        url = validate_url(url)
        with self._lock:
            record = self._stopped(download_id, "takes a new address")
        options = options_at(record, url, headers, carry_secrets=carry_secrets)
        validators = check_new_address(self._http, record, url, options)  # requests: blocks
        kept_cookies = (
            record.remote.cookies if carry_secrets or same_origin(url, record.url) else ()
        )
        with self._task_lock(download_id), self._lock:
            record = self._stopped(download_id, "takes a new address")
            request = replace(record.request.with_options(options), url=url)
            remote = replace(
                record.remote, final_url=None, validators=validators, cookies=kept_cookies
            )
            self._store.save_remote(download_id, remote, record.progress)
            record = replace(self._keep_request(record, request), remote=remote)
            status = replace(record.status, state=DownloadState.PAUSED, error=None)
            return self._set_status(record, status)

    @contextmanager
    def _task_lock(self, download_id: DownloadId) -> Iterator[None]:
        """Hold the download's task lock: no process runs it meanwhile."""
        with self._locks.held(download_id) as ours:
            if not ours:
                raise ValueError("another Rangeload process is running this download")
            yield

    def restart(
        self,
        download_id: DownloadId,
        url: str | None,
        headers: tuple[tuple[str, str], ...] | None = None,
        *,
        carry_secrets: bool = False,
    ) -> DownloadRecord:
        url = None if url is None else validate_url(url)
        with self._task_lock(download_id):
            with self._lock:
                record = self._stopped(download_id, "can start over")
                at = url or record.url
                options = options_at(record, at, headers, carry_secrets=carry_secrets)
                old_part = record.part_path
                # The record forgets the bytes before the file goes: never a claim on a gap.
                # It keeps the name and the folder: the same download, where it was.
                remote = Remote(filename=record.remote.filename, folder=record.remote.folder)
                self._store.save_remote(download_id, remote, Progress())
                request = replace(record.request.with_options(options), url=at)
                record = self._keep_request(record, request)
                record = replace(record, remote=remote, progress=Progress())
                status = replace(record.status, error=None, problem=None)
                record = self._set_status(record, status)
            if old_part is not None:
                old_part.unlink(missing_ok=True)
        return record

    def move(self, chosen: set[DownloadId], to: QueueMove) -> list[DownloadRecord]:
        """Reorder the queue; the records whose order changed."""
        with self._lock:
            orders = {i: r.queue_order for i, r in self._records.items()}
            return self._reorder(moved_orders(orders, chosen, to))

    def place(self, chosen: set[DownloadId], before: DownloadId | None) -> list[DownloadRecord]:
        """Put ``chosen`` just before ``before`` (None: at the end); the records whose
        order changed."""
        with self._lock:
            orders = {i: r.queue_order for i, r in self._records.items()}
            return self._reorder(placed_orders(orders, chosen, before))

    def _reorder(self, changed: dict[DownloadId, float]) -> list[DownloadRecord]:
        """Store the new queue orders and update the records; under the lock."""
        if not changed:
            return []
        self._store.set_queue_orders(changed)
        records = []
        for download_id, order in changed.items():
            record = self._records[download_id]
            record = replace(record, status=replace(record.status, queue_order=order))
            self._records[download_id] = record
            records.append(record)
        return records

    def move_to(self, download_id: DownloadId, folder: Path) -> DownloadRecord:
        """Put a download that is not running in another folder (its category changed),
        its part file with it (``part_move``: a crash at any step loses nothing). The
        record follows the file. Its task lock is held meanwhile: no process runs it."""
        with self._locks.held(download_id) as ours:
            if not ours:
                raise ValueError("another Rangeload process is running this download")
            with self._lock:
                record = self._stopped(download_id, "can move", or_queued=True)
            folder.mkdir(parents=True, exist_ok=True)
            old_part, name = record.part_path, record.filename
            if name is not None and old_part is not None and folder != record.dest_dir:
                if (folder / name).exists() or (folder / old_part.name).exists():
                    raise ValueError(f"{folder} already holds a file named {name}")
                if old_part.exists():

                    def save(part_id: str) -> DownloadRecord:
                        return self._moved(record, folder, part_id)

                    return move_part(
                        self._data_dir, download_id, old_part, folder / old_part.name, save
                    )
            return self._moved(record, folder, record.part_id)

    def _moved(self, record: DownloadRecord, folder: Path, part_id: str | None) -> DownloadRecord:
        """The record of a download now in ``folder`` (its part file's identity there):
        the user's request says the folder, and no category rule decides it any more."""
        with self._lock:
            remote = replace(record.remote, folder=None)
            progress = replace(record.progress, part_id=part_id)
            self._store.save_remote(record.id, remote, progress)
            request = replace(record.request, dest_dir=folder, sort_into=None)
            record = self._keep_request(self._records[record.id], request)
            record = replace(record, remote=remote, progress=progress)
            self._records[record.id] = record
        return record
