"""The download manager: the records, the queue's commands and the events. At most
``max_concurrent`` downloads run, each a ``DownloadTask`` on a controller thread of its
``TaskPool``; listeners hear typed events from worker threads; front ends poll ``snapshot()``.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from gui_app.engine.api.events import (
    DownloadAdded,
    DownloadChanged,
    DownloadEvent,
    DownloadRemoved,
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
from gui_app.engine.disk.part_move import recover as recover_moves
from gui_app.engine.disk.partfile import delete_files, free_bytes
from gui_app.engine.disk.store import Store, StoreWriteError
from gui_app.engine.download.lifecycle import ReportKind, StopReason, TaskReport
from gui_app.engine.download.task import DownloadTask
from gui_app.engine.http import TlsSettings
from gui_app.engine.manager.disk_watch import DiskWatch
from gui_app.engine.manager.edits import RecordEdits, checked_request
from gui_app.engine.manager.name_claims import NameClaims
from gui_app.engine.manager.queue_order import ReadyQueue
from gui_app.engine.manager.record_table import RecordTable
from gui_app.engine.manager.situations import Situation, Situations
from gui_app.engine.manager.statuses import found_at_start, is_stored, snapshot_of, status_after
from gui_app.engine.manager.task_pool import TaskPool
from gui_app.engine.manager.waiting import wait_settled

__all__ = ["DownloadManager"]

log = logging.getLogger(__name__)

_UNSETTLED = frozenset(s for s in DownloadState if s.is_active or s is DownloadState.QUEUED)
_TASKED = (Situation.RUNNING, Situation.LEAVING)  # a task still holds the download


class DownloadManager:
    """The engine of one process: every download's record (the ``Status`` part is this
    manager's to write; the others come from the user's edits and the running tasks),
    the queue and its order, the tasks running on the worker pool, the limits, and the
    events its listeners hear. Thread-safe; every call returns at once but ``refresh``.
    What each call promises is written once, in ``Engine`` (``api/interface.py``)."""

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
        self._clock = clock
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._records = RecordTable()
        self._situations = Situations()  # running, leaving, held: each download's one
        self._listeners = Listeners(settled=self._changed)
        pool = TaskPool(store, options, free_space=free_space, clock=clock, passwords=passwords)
        self._pool, self._task_locks = pool, pool.locks
        self._edits = RecordEdits(
            store,
            self._pool.http,
            self._lock,
            self._records,
            lambda download_id: self._situations.running(download_id) is not None,
            self._task_locks,
            self._set_status,
        )
        self._names = NameClaims(self._records, self._lock)
        self._queue_held = False  # the schedule's closed hours: nothing starts
        self._ready = ReadyQueue()
        self._closed = False
        self._disk_watch = DiskWatch(
            self._records.paused_for_room,
            self.resume,
            lock=self._lock,
            free_space=free_space,
            interval=options.disk_recheck,
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
                status, store = found_at_start(
                    record,
                    ours=run_queued,
                    resume_running=resume_running,
                    run_elsewhere=self._task_locks.held_elsewhere,
                )
                if store:
                    status = self._store.save_status(record.id, status)
                record = replace(record, status=status)
                self._records[record.id] = record
                self._pool.limit(record)
                if not run_queued:
                    self._situations.hold(record.id)
        self._disk_watch.start()
        self._schedule()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop running downloads (saved, to resume on the next start) and release all."""
        with self._lock:
            self._closed = True
            tasks = self._situations.tasks()
            self._changed.notify_all()
        self._disk_watch.stop()
        if self._pool.close(tasks, timeout):
            self._task_locks.close()  # else the process's end releases them, never sooner

    # -- listeners ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.subscribe(listener)

    def _emit(self, event: DownloadEvent | None = None) -> None:
        """Deliver ``event`` after every event queued before it (``Listeners.queue``)."""
        if event is not None:
            with self._lock:
                self._listeners.queue(event)
        self._listeners.deliver()

    # -- commands ----------------------------------------------------------------------

    def add(self, request: DownloadRequest) -> DownloadId:
        return self.add_many([request])[0]

    def add_many(self, requests: Sequence[DownloadRequest]) -> list[DownloadId]:
        checked = [checked_request(request) for request in requests]
        paused, queued = DownloadState.PAUSED, DownloadState.QUEUED
        records = self._store.add_many([(r, paused if r.start_paused else queued) for r in checked])
        with self._lock:
            for record in records:
                self._records[record.id] = record
                self._pool.limit(record)
                self._listeners.queue(DownloadAdded(record))
        self._emit()
        self._schedule()
        return [record.id for record in records]

    def pause(self, download_id: DownloadId) -> None:
        paused: DownloadRecord | None = None
        with self._lock:
            task = self._situations.running(download_id)
            record = self._records.get(download_id)
            if record is None:
                raise KeyError(download_id)
            if task is None and record.state is DownloadState.QUEUED:
                paused = self._set_state(record, DownloadState.PAUSED, pause=PauseReason.USER)
                self._listeners.queue(DownloadChanged(paused))
        if task is not None:
            task.stop(StopReason.PAUSE)  # the task saves, then reports its own pause
        elif paused is not None:
            self._emit()

    def resume(self, download_id: DownloadId) -> None:
        with self._lock:
            record = self._records.get(download_id)
            if record is None:
                raise KeyError(download_id)
            self._situations.release(download_id)
            running = self._situations.running(download_id) is not None
            if running or record.state is DownloadState.COMPLETED:
                return
            if record.state is not DownloadState.QUEUED:
                record = self._set_state(record, DownloadState.QUEUED, error=record.error)
            self._listeners.queue(DownloadChanged(record))
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
        with self._lock:
            record = self._records.pop(download_id, None)
            task = self._situations.task(download_id)
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
            delete_files(final.part_path, final.path if delete_file and completed else None)
            self._emit(DownloadRemoved(download_id))

        threading.Thread(target=finish, name="rangeload-remove", daemon=True).start()

    def set_max_concurrent(self, count: int) -> None:
        if count < 1:
            raise ValueError("at least one download must be allowed to run")
        with self._lock:
            self._max_concurrent = count
        self._schedule()

    def hold_queue(self, held: bool) -> None:
        with self._lock:
            self._queue_held = held
            tasks = list(self._situations.running_tasks().values()) if held else []
        for task in tasks:
            task.stop(StopReason.SHUTDOWN)
        if not held:
            self._schedule()

    def set_global_rate_limit(self, rate: int | None) -> None:
        self._pool.global_bucket.set_rate(rate)

    def set_rate_limit(self, download_id: DownloadId, rate: int | None) -> None:
        with self._lock:
            self._edits.set_request(download_id, rate_limit=rate)
        self._pool.set_rate(download_id, rate)

    def set_connections(self, download_id: DownloadId, count: int) -> None:
        check_connections(count)
        with self._lock:
            record = self._edits.set_request(download_id, connections=count)
            task = self._situations.running(download_id)
        if task is not None:
            task.set_connections(count)
        self._announce(record)

    def set_options(self, download_id: DownloadId, options: RequestOptions) -> None:
        self._announce(self._edits.set_options(download_id, options))

    def set_proxies(self, proxies: ProxySettings) -> None:
        self._pool.http.set_proxies(proxies)

    def set_tls(self, tls: TlsSettings) -> None:
        self._pool.http.set_tls(tls)

    def refresh(
        self,
        download_id: DownloadId,
        url: str,
        headers: tuple[tuple[str, str], ...] | None = None,
        *,
        carry_secrets: bool = False,
    ) -> None:
        self._announce(self._edits.refresh(download_id, url, headers, carry_secrets=carry_secrets))

    def restart(
        self,
        download_id: DownloadId,
        url: str | None = None,
        *,
        headers: tuple[tuple[str, str], ...] | None = None,
        carry_secrets: bool = False,
    ) -> None:
        self._edits.restart(download_id, url, headers, carry_secrets=carry_secrets)
        self.resume(download_id)

    def move(self, download_ids: Iterable[DownloadId], to: QueueMove) -> None:
        for record in self._edits.move(set(download_ids), to):
            self._listeners.queue(DownloadChanged(record))
        self._emit()
        self._schedule()

    def place(self, download_ids: Iterable[DownloadId], before: DownloadId | None) -> None:
        for record in self._edits.place(set(download_ids), before):
            self._listeners.queue(DownloadChanged(record))
        self._emit()
        self._schedule()

    def move_to(self, download_id: DownloadId, folder: Path) -> None:
        self._announce(self._edits.move_to(download_id, folder))

    def _announce(self, record: DownloadRecord) -> None:
        self._listeners.queue(DownloadChanged(record))
        self._emit()

    # -- queries -----------------------------------------------------------------------

    def get(self, download_id: DownloadId) -> DownloadSnapshot | None:
        with self._lock:
            record = self._records.get(download_id)
            task = self._situations.running(download_id)
        return None if record is None else snapshot_of(record, task)

    def snapshot(self) -> tuple[DownloadSnapshot, ...]:
        with self._lock:
            running = self._situations.running_tasks()
            pairs = [(r, running.get(i)) for i, r in sorted(self._records.items())]
        return tuple(snapshot_of(r, t) for r, t in pairs)

    def active_snapshot(self) -> tuple[DownloadSnapshot, ...]:
        with self._lock:
            running = sorted(self._situations.running_tasks().items())
            pairs = [(self._records[i], t) for i, t in running if i in self._records]
        return tuple(snapshot_of(r, t) for r, t in pairs)

    def total_speed(self) -> float:
        return self._pool.total_rate.rate()

    def wait(self, ids: Iterable[DownloadId], timeout: float | None = None) -> bool:
        """Block until every id is completed, failed, paused or removed; False on timeout."""

        def unsettled(download_id: DownloadId) -> bool:
            record = self._records.get(download_id)
            if record is None:
                return False
            return record.state in _UNSETTLED or self._situations.of(download_id) in _TASKED

        return wait_settled(ids, self._changed, unsettled, timeout)

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

    def _schedule(self, *, rescan: bool = True) -> None:
        """Start queued downloads while slots are free. ``rescan`` False only where a
        download has just ended and nothing else changed: the next ones then come off the
        ready heap in O(log n) each, not from a walk over every download (a list of 1,000
        small files ends a download 1,000 times)."""
        started: list[DownloadTask] = []
        with self._lock:
            if self._closed or self._queue_held:
                return
            kept = self._situations.kept
            if rescan:
                self._ready.rescan(self._records, kept)
            free = self._max_concurrent - self._situations.holding_slots()
            for download_id in self._ready.take(free, self._records, kept) if free > 0 else ():
                record = self._records[download_id]
                report = functools.partial(self._on_task_report, download_id)
                task = self._pool.task_for(record, report, self._names.claim)
                self._situations.run(download_id, task)
                started.append(task)
        for task in started:
            self._pool.run(self._run_task, task)

    def _run_task(self, task: DownloadTask) -> None:
        download_id = task.record.id
        try:
            task.run()
        finally:
            with self._lock:
                # Leaving: its end is the record already. Running: it ended unreported
                # (removed meanwhile), and its parts are kept as it stored them.
                if self._situations.ended(download_id, task) is Situation.RUNNING:
                    mine = self._records.get(download_id)
                    if mine is not None:
                        theirs = task.record
                        self._records[download_id] = replace(
                            mine, remote=theirs.remote, progress=theirs.progress
                        )
                # From here the record (or the finished file) keeps the name taken.
                self._names.release(task.record.dest_dir, task.record.filename)
                record = self._records.get(download_id)
                self._changed.notify_all()
            # Queued (stopped to run again, or resumed as it stopped): it is not on the
            # heap, so look at every one.
            self._schedule(rescan=record is not None and record.state is DownloadState.QUEUED)

    def _on_task_report(self, download_id: DownloadId, report: TaskReport) -> None:
        """A task's step: its parts of the record as it stored them, and the status it
        makes, which this manager stores (outside its lock: a disk sync there would hold
        up every other download, and downloads ending together share one sync)."""
        with self._lock:
            mine = self._records.get(download_id)
            if mine is None:
                return  # removed meanwhile
            status = status_after(mine.status, report, now=time.time())
        state = status.state
        if status != mine.status and is_stored(report):
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
                self._situations.leave(download_id)
            self._listeners.queue(DownloadChanged(record))
        self._emit()
        if state is DownloadState.VERIFYING:  # its slot is free (holding_slots)
            self._schedule(rescan=False)
