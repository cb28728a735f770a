"""The download manager: the queue, the worker pool, the limits, and the events.

It owns every download's record (mirrored in the store) and at most ``max_concurrent``
running ``DownloadTask``s, each driven by a controller thread while its connections run
on one shared ``ThreadPoolExecutor``. Every public method is thread-safe and returns at
once; listeners receive typed events from worker threads; the UI and CLI poll
``snapshot()``.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from gui_app.engine.api.errors import FolderMissingError, validate_url
from gui_app.engine.api.events import (
    DownloadAdded,
    DownloadCompleted,
    DownloadEvent,
    DownloadFailed,
    DownloadPaused,
    DownloadRemoved,
    DownloadStarted,
    DownloadUpdated,
    Listener,
    Listeners,
)
from gui_app.engine.api.models import (
    DownloadId,
    DownloadRequest,
    DownloadState,
    PasswordSource,
    PauseReason,
    QueueMove,
    RequestOptions,
    check_connections,
)
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.record import DownloadRecord, DownloadSnapshot, Status
from gui_app.engine.disk.group_commit import GroupCommit
from gui_app.engine.disk.part_move import recover as recover_moves
from gui_app.engine.disk.partfile import free_bytes, space_needed, sync_folders
from gui_app.engine.disk.store import Store, StoreWriteError
from gui_app.engine.disk.task_lock import TaskLocks
from gui_app.engine.download.lifecycle import Phase, ReportKind, StopReason, TaskConfig, TaskReport
from gui_app.engine.download.ratelimit import HostSlots, TokenBucket
from gui_app.engine.download.stats import RollingRate, eta
from gui_app.engine.download.task import DownloadTask
from gui_app.engine.http import HttpClient, TlsSettings
from gui_app.engine.manager.edits import RecordEdits, check_proxy
from gui_app.engine.manager.record_table import RecordTable
from gui_app.ground.byteranges import total
from gui_app.ground.naming import sanitize_filename, unique_path

__all__ = ["DownloadManager"]

log = logging.getLogger(__name__)

_EVENTS: dict[ReportKind, Callable[[DownloadRecord], DownloadEvent]] = {
    ReportKind.STARTED: DownloadStarted,
    ReportKind.UPDATED: DownloadUpdated,
    ReportKind.VERIFYING: DownloadUpdated,
    ReportKind.PAUSED: DownloadPaused,
    ReportKind.STOPPED: DownloadUpdated,
    ReportKind.COMPLETED: DownloadCompleted,
    ReportKind.FAILED: DownloadFailed,
    ReportKind.BUSY: DownloadFailed,
}
# The state each report of a task makes its download's.
_STATES = {
    ReportKind.STARTED: DownloadState.RUNNING,
    ReportKind.UPDATED: DownloadState.RUNNING,
    ReportKind.VERIFYING: DownloadState.VERIFYING,
    ReportKind.PAUSED: DownloadState.PAUSED,
    ReportKind.STOPPED: DownloadState.QUEUED,
    ReportKind.COMPLETED: DownloadState.COMPLETED,
    ReportKind.FAILED: DownloadState.FAILED,
    ReportKind.BUSY: DownloadState.FAILED,
}
# Reports whose status is shown, not stored: checking a file that is all there (after a
# crash it is checked again), and another process's download (its row is that one's).
_UNSTORED = (ReportKind.VERIFYING, ReportKind.BUSY)
DISK_FULL_RECHECK = 5.0
CONTROLLERS_MAX = 1 << 12  # far above any sensible max_concurrent
_SETTLING = (DownloadPaused, DownloadCompleted, DownloadFailed, DownloadRemoved)
_UNSETTLED = frozenset(s for s in DownloadState if s.is_active or s is DownloadState.QUEUED)


INTERRUPTED = "interrupted: no process runs it any more; resume goes on from what was saved"


class DownloadManager:
    """The engine of one process: every download's record (the ``Status`` part is this
    manager's to write; the others come from the user's edits and the running tasks),
    the queue and its order, the tasks running on the worker pool, the limits, and the
    events its listeners hear. Thread-safe; every call returns at once but ``refresh``."""

    def __init__(
        self,
        store: Store,
        *,
        options: EngineOptions = EngineOptions(),  # noqa: B008  # a frozen value
        free_space: Callable[[Path], int] = free_bytes,
        clock: Callable[[], float] = time.monotonic,
        passwords: PasswordSource | None = None,  # the saved logins' (the app's site book)
    ) -> None:
        self._store = store
        self._max_concurrent = options.max_concurrent
        self._config = TaskConfig(
            save_interval=options.save_interval,
            min_split=options.min_split,
            backoff=options.backoff,
            free_space=free_space,
            ask_before_restart=options.ask_before_restart,
        )
        self._free_space = free_space
        self._task_locks = TaskLocks(store.path.parent / "locks")
        self._clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._records = RecordTable()
        self._tasks: dict[DownloadId, DownloadTask] = {}  # running: not yet settled
        # Tasks that reported how they ended (paused, failed, completed) and are letting go
        # of the file: the download is stopped, to edit or resume, but nothing starts it
        # again before its task has returned (``_run_task``).
        self._leaving: dict[DownloadId, DownloadTask] = {}
        self._buckets: dict[DownloadId, TokenBucket] = {}
        self._global_bucket = TokenBucket(options.global_rate_limit, clock=clock)
        self._listeners = Listeners()
        self._total_rate = RollingRate(clock=clock)
        self._host_slots = HostSlots(options.max_connections_per_host)
        self._pool = ThreadPoolExecutor(max_workers=64, thread_name_prefix="rangeload-conn")
        # One controller thread per running download, reused by the next one (a list of
        # small files would otherwise start a thread per file). Never a limit of its own:
        # at most ``max_concurrent`` tasks run, so an idle thread is always found or made.
        # Downloads finishing together sync their folder once (each after its rename).
        self._folder_syncs = GroupCommit(sync_folders)
        self._controllers = ThreadPoolExecutor(max_workers=CONTROLLERS_MAX,
                                               thread_name_prefix="rangeload-task")  # fmt: skip
        self._http = HttpClient(
            stall_timeout=options.stall_timeout,
            head_timeout=options.head_timeout,
            proxies=options.proxies,
            tls=options.tls,
            clock=clock,
            passwords=passwords,
        )
        self._edits = RecordEdits(
            store,
            self._http,
            self._lock,
            self._records,
            lambda download_id: download_id in self._tasks,
            self._task_locks,
            self._set_status,
        )
        self._claimed_names: set[tuple[Path, str]] = set()
        self._held: set[DownloadId] = set()  # stored downloads this process must not start
        self._queue_held = False  # the schedule's closed hours: nothing starts
        self._ready: list[tuple[float, DownloadId]] = []  # a heap by queue order
        self._closed = False
        self._housekeeper = threading.Thread(
            target=self._housekeeping, name="rangeload-housekeeping", daemon=True
        )

    # -- life --------------------------------------------------------------------------

    def start(self, *, resume_running: bool = True, run_queued: bool = True) -> None:
        """Load the stored downloads and start the queue.

        Downloads that were running when the last process ended (quit or crash) are
        queued again if ``resume_running``. With ``run_queued`` False (the CLI, sharing
        the store with the app), stored downloads run only once ``resume`` names them.
        """
        # A move across file systems that a crash interrupted: finished or undone first.
        recover_moves(self._store.path.parent, self._store.get, self._task_locks.held)
        with self._lock:
            for record in self._store.all():
                unfinished = record.state.is_active or record.state is DownloadState.QUEUED
                if unfinished and run_queued:
                    # Ours to run: queued again, or all paused when the user said not to
                    # resume on start. (A sharing process, run_queued False, changes nothing.)
                    wanted = DownloadState.QUEUED if resume_running else DownloadState.PAUSED
                    if record.state is not wanted:
                        status = replace(record.status, state=wanted)
                        record = replace(record, status=self._store.save_status(record.id, status))
                elif record.state.is_active and not self._task_locks.held_elsewhere(record.id):
                    # Stored as running, but no process runs it (killed, or ended by a
                    # signal unsaved): interrupted, and as free to resume or edit as a
                    # paused one. Only this manager's copy changes; the store is the
                    # runner's to write.
                    status = replace(record.status, state=DownloadState.PAUSED, error=INTERRUPTED)
                    record = replace(record, status=status)
                self._records[record.id] = record
                self._buckets[record.id] = TokenBucket(record.rate_limit, clock=self._clock)
                if not run_queued:
                    self._held.add(record.id)
        self._housekeeper.start()
        self._schedule()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop running downloads (saved, to resume on the next start) and release all."""
        with self._lock:
            self._closed = True
            tasks = list(self._tasks.values())
            leaving = list(self._leaving.values())
            self._changed.notify_all()
        for task in tasks:
            task.stop(StopReason.SHUTDOWN)
        tasks += leaving
        deadline = time.monotonic() + timeout
        for task in tasks:
            task.finished.wait(max(0.0, deadline - time.monotonic()))
        # Every task ended: their threads are idle or ending, and are joined here, so a
        # process may end at once after this (``cli.run_program``). Else they are left to
        # finish as they can, and the process's end waits for them.
        finished = all(task.finished.is_set() for task in tasks)
        self._pool.shutdown(wait=finished, cancel_futures=True)
        self._controllers.shutdown(wait=finished, cancel_futures=True)
        self._http.close()
        if finished:
            self._task_locks.close()  # else the process's end releases them, never sooner

    # -- listeners ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.subscribe(listener)

    def _emit(self, event: DownloadEvent | None = None) -> None:
        """Deliver ``event`` after every event queued before it (``_queue``)."""
        if event is not None:
            with self._lock:
                self._queue(event)
        self._listeners.deliver()

    def _queue(self, event: DownloadEvent) -> None:
        """Queue ``event`` (lock held, in the same step as the change it announces). Only
        a change that may settle a download wakes ``wait``: a list of 1,000 small files
        sends some 5,000 events, and each wake of the waiting thread is a GIL hand-off."""
        self._listeners.queue(event)
        if isinstance(event, _SETTLING):
            with self._changed:  # held already by most callers (an RLock)
                self._changed.notify_all()

    # -- commands ----------------------------------------------------------------------

    def add(self, request: DownloadRequest) -> DownloadId:
        """Validate, persist and queue (or hold paused); raises InvalidURLError, or
        FolderMissingError when ``dest_dir`` is not there."""
        return self.add_many([request])[0]

    def add_many(self, requests: Sequence[DownloadRequest]) -> list[DownloadId]:
        """``add`` for many, stored in one transaction; if one is invalid, none is added."""
        checked = [self._checked(request) for request in requests]
        paused, queued = DownloadState.PAUSED, DownloadState.QUEUED
        records = self._store.add_many([(r, paused if r.start_paused else queued)
                                        for r in checked])  # fmt: skip
        with self._lock:
            for record in records:
                self._records[record.id] = record
                self._buckets[record.id] = TokenBucket(record.rate_limit, clock=self._clock)
                self._queue(DownloadAdded(record))
        self._emit()
        self._schedule()
        return [record.id for record in records]

    @staticmethod
    def _checked(request: DownloadRequest) -> DownloadRequest:
        url = validate_url(request.url)
        filename = sanitize_filename(request.filename) if request.filename else None
        request = replace(request, url=url, filename=filename, dest_dir=request.dest_dir)
        if not Path(request.dest_dir).is_dir():
            raise FolderMissingError(f"destination folder does not exist: {request.dest_dir}")
        check_proxy(request.proxy)
        return request

    def pause(self, download_id: DownloadId) -> None:
        paused: DownloadRecord | None = None
        with self._lock:
            task = self._tasks.get(download_id)
            record = self._records.get(download_id)
            if record is None:
                raise KeyError(download_id)
            if task is None and record.state is DownloadState.QUEUED:
                paused = self._set_state(record, DownloadState.PAUSED, pause=PauseReason.USER)
                self._queue(DownloadPaused(paused))
        if task is not None:
            task.stop(StopReason.PAUSE)  # the task saves, then reports its own pause
        elif paused is not None:
            self._emit()

    def resume(self, download_id: DownloadId) -> None:
        """Queue a paused or failed download, or one a killed process left running."""
        with self._lock:
            record = self._records.get(download_id)
            if record is None:
                raise KeyError(download_id)
            self._held.discard(download_id)
            if download_id in self._tasks or record.state is DownloadState.COMPLETED:
                return
            if record.state is not DownloadState.QUEUED:
                record = self._set_state(record, DownloadState.QUEUED, error=record.error)
            self._queue(DownloadUpdated(record))
        self._emit()
        self._schedule()

    retry = resume

    def pause_all(self) -> None:
        for download_id in self._ids():
            self.pause(download_id)

    def resume_all(self) -> None:
        for download_id in self._ids():
            self.resume(download_id)

    def remove(self, download_id: DownloadId, delete_file: bool = False) -> None:
        """Forget a download (and delete its files if asked), off the caller's thread."""
        with self._lock:
            record = self._records.pop(download_id, None)
            task = self._tasks.get(download_id) or self._leaving.get(download_id)
        if record is None:
            raise KeyError(download_id)
        if task is not None:
            task.stop(StopReason.PAUSE)

        def finish() -> None:
            final, completed = record, record.state is DownloadState.COMPLETED
            if task is not None:
                task.finished.wait(30)
                final = task.record  # it may have completed (and renamed) meanwhile
                completed = completed or task.told is ReportKind.COMPLETED
            self._store.remove(download_id)
            part = final.part_path
            if part is not None:
                with contextlib.suppress(OSError):
                    part.unlink(missing_ok=True)
            if delete_file and final.path is not None and completed:
                with contextlib.suppress(OSError):
                    final.path.unlink(missing_ok=True)
            self._emit(DownloadRemoved(download_id))

        threading.Thread(target=finish, name="rangeload-remove", daemon=True).start()

    def set_max_concurrent(self, count: int) -> None:
        if count < 1:
            raise ValueError("at least one download must be allowed to run")
        with self._lock:
            self._max_concurrent = count
        self._schedule()

    def hold_queue(self, held: bool) -> None:
        """Hold the queue (outside the schedule's hours): running downloads stop, saved, and
        wait as queued; nothing starts until it is released."""
        with self._lock:
            self._queue_held = held
            tasks = list(self._tasks.values()) if held else []
        for task in tasks:
            task.stop(StopReason.SHUTDOWN)
        if not held:
            self._schedule()

    def set_global_rate_limit(self, rate: int | None) -> None:
        self._global_bucket.set_rate(rate)

    def set_rate_limit(self, download_id: DownloadId, rate: int | None) -> None:
        with self._lock:
            bucket = self._buckets[download_id]
            self._edits.set_request(download_id, rate_limit=rate)
        bucket.set_rate(rate)

    def set_connections(self, download_id: DownloadId, count: int) -> None:
        """How many connections one download uses, at once, also while it runs."""
        check_connections(count)
        with self._lock:
            record = self._edits.set_request(download_id, connections=count)
            task = self._tasks.get(download_id)
        if task is not None:
            task.set_connections(count)
        self._announce(record)

    def set_options(self, download_id: DownloadId, options: RequestOptions) -> None:
        """Replace a stopped download's request options (a rerun's say what is wanted now);
        they take effect when it next runs."""
        self._announce(self._edits.set_options(download_id, options))

    def set_proxies(self, proxies: ProxySettings) -> None:
        """The proxies of downloads that follow the app's setting, from their next request."""
        self._http.set_proxies(proxies)

    def set_tls(self, tls: TlsSettings) -> None:
        """The certificates trusted by later requests (the app's CA file setting)."""
        self._http.set_tls(tls)

    def refresh(
        self,
        download_id: DownloadId,
        url: str,
        headers: tuple[tuple[str, str], ...] | None = None,
        *,
        carry_secrets: bool = False,
    ) -> None:
        """Give a stopped download a new address (and, when given, new headers), keeping
        its bytes: only if the file there is proven the same (``engine.refresh``); it then
        waits, paused, to be resumed. At another origin the old one's secrets (Cookie,
        Authorization, the login) go only if ``carry_secrets``. Blocks on a few requests:
        not for the GUI thread."""
        self._announce(self._edits.refresh(download_id, url, headers, carry_secrets=carry_secrets))

    def restart(
        self,
        download_id: DownloadId,
        url: str | None = None,
        *,
        headers: tuple[tuple[str, str], ...] | None = None,
        carry_secrets: bool = False,
    ) -> None:
        """Throw away a stopped download's bytes and queue it from byte 0 (at ``url`` when
        given, with the old origin's secrets only if ``carry_secrets``): the user's choice
        when the file on the server changed."""
        self._edits.restart(download_id, url, headers, carry_secrets=carry_secrets)
        self.resume(download_id)

    def move(self, download_ids: Iterable[DownloadId], to: QueueMove) -> None:
        """Move downloads in the queue's order (top, up, down, bottom): queued ones start
        in that order, and it survives restarts."""
        for record in self._edits.move(set(download_ids), to):
            self._queue(DownloadUpdated(record))
        self._emit()
        self._schedule()

    def place(self, download_ids: Iterable[DownloadId], before: DownloadId | None) -> None:
        """Put downloads just before ``before`` in the queue's order (None: at the end),
        keeping their own order: rows dragged in the table."""
        for record in self._edits.place(set(download_ids), before):
            self._queue(DownloadUpdated(record))
        self._emit()
        self._schedule()

    def move_to(self, download_id: DownloadId, folder: Path) -> None:
        """Put a queued, paused or failed download in another folder (its category
        changed), its part file with it."""
        self._announce(self._edits.move_to(download_id, folder))

    def _announce(self, record: DownloadRecord) -> None:
        self._queue(DownloadUpdated(record))
        self._emit()

    # -- queries -----------------------------------------------------------------------

    def get(self, download_id: DownloadId) -> DownloadSnapshot | None:
        with self._lock:
            record = self._records.get(download_id)
            task = self._tasks.get(download_id)
        return None if record is None else self._snapshot_of(record, task)

    def snapshot(self) -> tuple[DownloadSnapshot, ...]:
        with self._lock:
            pairs = [(r, self._tasks.get(i)) for i, r in sorted(self._records.items())]
        return tuple(self._snapshot_of(r, t) for r, t in pairs)

    def active_snapshot(self) -> tuple[DownloadSnapshot, ...]:
        """Snapshots of running downloads only: what changes without an event."""
        with self._lock:
            pairs = [(self._records[i], t) for i, t in sorted(self._tasks.items())
                     if i in self._records]  # fmt: skip
        return tuple(self._snapshot_of(r, t) for r, t in pairs)

    def total_speed(self) -> float:
        return self._total_rate.rate()

    def _snapshot_of(self, record: DownloadRecord, task: DownloadTask | None) -> DownloadSnapshot:
        if task is None:
            done = record.done
            return DownloadSnapshot(record, total(done), 0.0, None, (), done)
        done_bytes, speed, conns, regions = task.live()
        theirs = task.record  # its parts as it last stored them: newer than its last report
        if theirs.remote is not record.remote or theirs.progress is not record.progress:
            record = replace(record, remote=theirs.remote, progress=theirs.progress)
        remaining = None if record.size is None else record.size - done_bytes
        return DownloadSnapshot(record, done_bytes, speed, eta(remaining, speed), conns, regions)

    def wait(self, ids: Iterable[DownloadId], timeout: float | None = None) -> bool:
        """Block until every id is completed, failed, paused or removed; False on timeout."""
        waiting = list(dict.fromkeys(ids))  # in order; settled ones leave from the front
        deadline = None if timeout is None else time.monotonic() + timeout

        def unsettled(download_id: DownloadId) -> bool:
            record = self._records.get(download_id)
            return record is not None and (download_id in self._tasks or record.state in _UNSETTLED
                                           or download_id in self._leaving)  # fmt: skip

        def settled() -> bool:
            # Each wake looks only past the ids already seen settled (a list of 1,000
            # woken by every event would cost O(n) each time), then all again at the end:
            # one may have been resumed meanwhile.
            while waiting:
                if unsettled(waiting[-1]):
                    return False
                waiting.pop()
            again = [i for i in wanted if unsettled(i)]
            waiting.extend(reversed(again))
            return not again

        wanted = list(waiting)
        waiting.reverse()  # popped from the end: the first ids first
        with self._lock:
            while not settled():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining if remaining is not None else 1.0)
            return True

    # -- internals ---------------------------------------------------------------------

    def _ids(self) -> list[DownloadId]:
        with self._lock:
            return sorted(self._records)

    def _set_state(
        self,
        record: DownloadRecord,
        state: DownloadState,
        error: str | None = None,
        pause: PauseReason | None = None,
    ) -> DownloadRecord:
        """A stopped download's new state (lock held)."""
        status = replace(record.status, state=state, error=error, pause_reason=pause)
        return self._set_status(record, status)

    def _set_status(self, record: DownloadRecord, status: Status) -> DownloadRecord:
        """Store this manager's part of ``record`` (lock held), and keep it."""
        record = replace(record, status=self._store.save_status(record.id, status))
        self._records[record.id] = record
        return record

    def _claim_filename(self, directory: Path, wanted: str) -> str:
        """A free name in ``directory``, claimed atomically: two downloads whose probes
        answer at the same moment can never pick the same name. The folder is looked at
        outside the lock (a stat or two per candidate would hold up every other download's
        report meanwhile); the claim is checked again under it."""
        taken = _TakenNames(directory, self._claimed_names, self._records)
        while True:
            name = unique_path(directory, wanted, taken).name
            with self._lock:
                if name not in taken:
                    self._claimed_names.add((directory, name))
                    return name

    def _schedule(self, *, rescan: bool = True) -> None:
        """Start queued downloads while slots are free. ``rescan`` False only where a
        download has just ended and nothing else changed: the next ones then come off the
        ready heap in O(log n) each, not from a walk over every download (a list of 1,000
        small files ends a download 1,000 times)."""
        started: list[DownloadTask] = []
        with self._lock:
            if self._closed or self._queue_held:
                return
            if rescan:
                self._rescan_ready()
            free = self._max_concurrent - self._downloading()
            for download_id in self._next_ready(free) if free > 0 else ():
                record = self._records[download_id]
                task = DownloadTask(
                    record,
                    http=self._http,
                    pool=self._pool,
                    save=self._store,
                    reload=self._store.get,
                    locks=self._task_locks,
                    report=functools.partial(self._on_task_report, download_id),
                    buckets=(self._global_bucket, self._buckets[download_id]),
                    claim_filename=self._claim_filename,
                    total_rate=self._total_rate,
                    host_slots=self._host_slots,
                    config=replace(self._config, connections=record.connections),
                    sync_folder=self._folder_syncs.submit,
                    clock=self._clock,
                )
                self._tasks[download_id] = task
                started.append(task)
        for task in started:
            self._controllers.submit(self._run_task, task)

    def _downloading(self) -> int:
        """Running tasks that hold one of the ``max_concurrent`` slots (lock held): one whose
        bytes are all written, only checking and naming its file (and waiting for the
        disk sync that makes that durable), lets the next download start meanwhile. So
        downloads that end close together sync the disk together (``group_commit``)."""
        return sum(1 for task in self._tasks.values() if task.phase is not Phase.FINISHING)

    def _rescan_ready(self) -> None:
        """Rebuild the ready heap: queued downloads, not running, not held (lock held)."""
        queued, kept = DownloadState.QUEUED, self._kept
        self._ready = [(r.queue_order, i) for i, r in self._records.items()
                       if r.state is queued and not kept(i)]  # fmt: skip
        heapq.heapify(self._ready)

    def _kept(self, download_id: DownloadId) -> bool:
        """Whether a queued download must not start now (lock held): its task runs, or is
        still letting go of the file, or another process runs it."""
        return (download_id in self._tasks or download_id in self._leaving
                or download_id in self._held)  # fmt: skip

    def _next_ready(self, count: int) -> list[DownloadId]:
        """Up to ``count`` downloads to start, in the queue's order (lock held). An entry
        that changed since the last rescan (paused, removed, moved, started) is dropped:
        whatever made it ready again asks for a rescan."""
        chosen: list[DownloadId] = []
        while self._ready and len(chosen) < count:
            order, download_id = heapq.heappop(self._ready)
            record = self._records.get(download_id)
            if (record is not None and record.state is DownloadState.QUEUED
                    and record.queue_order == order and not self._kept(download_id)):  # fmt: skip
                chosen.append(download_id)
        return chosen

    def _run_task(self, task: DownloadTask) -> None:
        download_id = task.record.id
        try:
            task.run()
        finally:
            with self._lock:
                if self._leaving.get(download_id) is task:
                    del self._leaving[download_id]  # its end is the record already
                elif self._tasks.get(download_id) is task:  # ended unreported (removed)
                    del self._tasks[download_id]
                    mine = self._records.get(download_id)
                    if mine is not None:
                        theirs = task.record
                        self._records[download_id] = replace(
                            mine, remote=theirs.remote, progress=theirs.progress
                        )
                # From here the record (or the finished file) keeps the name taken.
                self._claimed_names.discard((task.record.dest_dir, task.record.filename or ""))
                record = self._records.get(download_id)
                self._changed.notify_all()
            # Queued (stopped to run again, or resumed as it stopped): it is not on the
            # heap, so look at every one.
            self._schedule(rescan=record is not None and record.state is DownloadState.QUEUED)

    def _on_task_report(self, download_id: DownloadId, report: TaskReport) -> None:
        """A task's step: its parts of the record as it stored them, and the status it
        makes, which this manager stores (outside its lock: a disk sync there would hold
        up every other download, and downloads ending together share one sync)."""
        state = _STATES[report.kind]
        with self._lock:
            mine = self._records.get(download_id)
            if mine is None:
                return  # removed meanwhile
            status = replace(mine.status, state=state, error=report.note,
                             pause_reason=report.pause_reason, problem=report.problem)  # fmt: skip
        if state is DownloadState.COMPLETED and mine.completed_at is None:
            status = replace(status, completed_at=time.time())
        if status != mine.status and report.kind not in _UNSTORED:
            try:
                status = self._store.save_status(download_id, status, durable=report.durable)
            except StoreWriteError as error:  # shown as it is; the task saw the store fail
                log.error("download %s: its state could not be saved: %s", download_id, error)
        with self._lock:
            mine = self._records.get(download_id)
            if mine is None:
                return
            request = report.request or mine.request
            status = replace(status, queue_order=mine.queue_order)  # moved meanwhile
            record = DownloadRecord(download_id, request, report.remote, report.progress, status)
            self._records[download_id] = record
            if not state.is_active:  # its last report: stopped, from here
                task = self._tasks.pop(download_id, None)
                if task is not None:
                    self._leaving[download_id] = task
            self._queue(_EVENTS[report.kind](record))
        self._emit()
        if state is DownloadState.VERIFYING:  # its slot is free (_downloading)
            self._schedule(rescan=False)

    def _housekeeping(self) -> None:
        """Resume downloads paused by a full disk once there is room again."""
        while True:
            time.sleep(DISK_FULL_RECHECK)
            with self._lock:
                if self._closed:
                    return
                waiting = [
                    r for r in self._records.values()
                    if r.state is DownloadState.PAUSED and r.pause_reason is PauseReason.DISK_FULL
                ]  # fmt: skip
            for record in waiting:
                try:
                    needed = space_needed(record.part_path, record.size, record.done_bytes)
                    free = self._free_space(record.dest_dir)
                except OSError:
                    continue
                if free >= needed:
                    log.info("space is free again; resuming download %s", record.id)
                    self.resume(record.id)


class _TakenNames:
    """The names in one folder that running or unfinished downloads hold, as
    ``unique_path`` asks (a candidate or two). Read without the lock, the answer may be a
    moment old: ``_claim_filename`` asks again under it."""

    def __init__(self, directory: Path, claimed: set[tuple[Path, str]], records: RecordTable):
        self._directory, self._claimed, self._records = directory, claimed, records

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return (self._directory, name) in self._claimed or self._records.holds_name(
            self._directory, name
        )
