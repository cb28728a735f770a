"""What a manager's downloads run on, shared by all of them: the HTTP client, one pool for
every connection, a controller thread per running download (reused by the next one), the
per-host connection cap, the total speed, the global speed limit, and the folders' grouped
syncs. ``task_for`` makes a download's task on them; ``close`` lets them go."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from gui_app.engine.api.models import DownloadId, PasswordSource
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.disk.group_commit import GroupCommit
from gui_app.engine.disk.partfile import sync_folders
from gui_app.engine.disk.store import Store
from gui_app.engine.disk.task_lock import TaskLocks
from gui_app.engine.download.lifecycle import StopReason, TaskConfig, TaskReport
from gui_app.engine.download.ratelimit import HostSlots, TokenBucket
from gui_app.engine.download.stats import RollingRate
from gui_app.engine.download.task import DownloadTask
from gui_app.engine.http import HttpClient

__all__ = ["CONTROLLERS_MAX", "TaskPool"]

CONTROLLERS_MAX = 1 << 12  # far above any sensible max_concurrent


class TaskPool:
    """The resources every task of one manager shares (built from its ``EngineOptions``)."""

    def __init__(
        self,
        store: Store,
        options: EngineOptions,
        *,
        free_space: Callable[[Path], int],
        clock: Callable[[], float] = time.monotonic,
        passwords: PasswordSource | None = None,
    ) -> None:
        self._store, self._clock = store, clock
        self.locks = TaskLocks(store.path.parent / "locks")  # a download's, across processes
        self._config = TaskConfig(
            save_interval=options.save_interval,
            min_split=options.min_split,
            backoff=options.backoff,
            free_space=free_space,
            ask_before_restart=options.ask_before_restart,
            folder_rule=store.folder_rule,
        )
        self.http = HttpClient(
            stall_timeout=options.stall_timeout,
            head_timeout=options.head_timeout,
            proxies=options.proxies,
            tls=options.tls,
            clock=clock,
            passwords=passwords,
        )
        self.total_rate = RollingRate(clock=clock)
        self.global_bucket = TokenBucket(options.global_rate_limit, clock=clock)
        self._buckets: dict[DownloadId, TokenBucket] = {}  # each download's own limit
        self._host_slots = HostSlots(options.max_connections_per_host)
        self._connections = ThreadPoolExecutor(max_workers=64, thread_name_prefix="rangeload-conn")
        # One controller thread per running download, reused by the next one (a list of
        # small files would otherwise start a thread per file). Never a limit of its own:
        # at most ``max_concurrent`` tasks run, so an idle thread is always found or made.
        self._controllers = ThreadPoolExecutor(
            max_workers=CONTROLLERS_MAX, thread_name_prefix="rangeload-task"
        )
        # Downloads finishing together sync their folder once (each after its rename).
        self._folder_syncs = GroupCommit(sync_folders)

    def limit(self, record: DownloadRecord) -> None:
        """``record``'s own speed limit, as its request says (a download loaded or added)."""
        self._buckets[record.id] = TokenBucket(record.rate_limit, clock=self._clock)

    def set_rate(self, download_id: DownloadId, rate: int | None) -> None:
        """A download's own speed limit changed, at once, also while it runs."""
        self._buckets[download_id].set_rate(rate)

    def task_for(
        self,
        record: DownloadRecord,
        report: Callable[[TaskReport], None],
        claim_filename: Callable[[Path, str], str],
    ) -> DownloadTask:
        """A task for ``record`` under its own speed limit, telling ``report``."""
        return DownloadTask(
            record,
            http=self.http,
            pool=self._connections,
            save=self._store,
            reload=self._store.get,
            locks=self.locks,
            report=report,
            buckets=(self.global_bucket, self._buckets[record.id]),
            claim_filename=claim_filename,
            total_rate=self.total_rate,
            host_slots=self._host_slots,
            config=replace(self._config, connections=record.connections),
            sync_folder=self._folder_syncs.submit,
            clock=self._clock,
        )

    def run(self, work: Callable[[DownloadTask], None], task: DownloadTask) -> None:
        """``work(task)`` on a controller thread."""
        self._controllers.submit(work, task)

    def close(self, tasks: list[DownloadTask], timeout: float) -> bool:
        """Stop ``tasks`` (saved, to resume on the next start), wait for them up to
        ``timeout`` seconds, and let the threads and the client go. True if every task
        ended: their threads are then joined, so a process may end at once after this
        (``cli.run_program``); else they finish as they can, and the process's end waits
        for them."""
        for task in tasks:
            task.stop(StopReason.SHUTDOWN)  # a leaving one has stopped already
        deadline = time.monotonic() + timeout
        for task in tasks:
            task.finished.wait(max(0.0, deadline - time.monotonic()))
        ended = all(task.finished.is_set() for task in tasks)
        self._connections.shutdown(wait=ended, cancel_futures=True)
        self._controllers.shutdown(wait=ended, cancel_futures=True)
        self.http.close()
        return ended
