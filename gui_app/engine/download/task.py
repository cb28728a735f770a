"""One download's lifecycle, on its controller thread: lock, part file, probe, transfer,
durable progress, finish; with its phase as one explicit state.

``DownloadTask.run`` holds the download's cross-process lock for the whole run (so a
second process never writes the same record or file), re-reads the record under it,
opens or creates the part file (trusting stored progress only for the same file), sends
the probe, hands its response to a ``Transfer``, saves every ``save_interval`` (data
fdatasync'ed *before* the store records it), and ends in ``finishing.finish``. ``stop``
pauses it from any thread at once: requests under way are interrupted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path

import httpx

from gui_app.engine.api.errors import (
    ChecksumMismatchError,
    DiskFullError,
    DownloadError,
    FileChangedError,
    LoginRequiredError,
    StoreSaveError,
)
from gui_app.engine.api.models import DownloadState, PauseReason, Problem
from gui_app.engine.api.record import ConnectionSnapshot, DownloadRecord, Request
from gui_app.engine.disk.partfile import sync_folder
from gui_app.engine.disk.task_lock import TaskLocks
from gui_app.engine.download import finishing
from gui_app.engine.download.kept import Kept, TaskStore
from gui_app.engine.download.lifecycle import (
    BUSY,
    Phase,
    ReportKind,
    StopReason,
    TaskConfig,
    TaskReport,
)
from gui_app.engine.download.memory_part import MemoryPart
from gui_app.engine.download.probe import Probe
from gui_app.engine.download.ratelimit import HostSlots, TokenBucket
from gui_app.engine.download.stats import RollingRate
from gui_app.engine.download.taught import taught
from gui_app.engine.download.transfer import Transfer
from gui_app.engine.download.versions import Forms, RestartError, Restarts
from gui_app.engine.http import Answer, Guard, HttpClient, host_of
from gui_app.ground.byteranges import ByteRange, total
from gui_app.ground.naming import page_expected

__all__ = ["DownloadTask"]

log = logging.getLogger(__name__)


class DownloadTask:
    """One run of one download, on its controller thread (``run``): it writes the record's
    ``Remote`` and ``Progress`` alone, and tells its manager each step (``TaskReport``),
    which the manager makes the download's status. ``record`` is its view of the whole
    record: its own parts as it stored them, the request as it was when the run began."""

    def __init__(
        self,
        record: DownloadRecord,
        *,
        http: HttpClient,
        pool: Executor,
        save: TaskStore,
        reload: Callable[[int], DownloadRecord | None],
        locks: TaskLocks,
        report: Callable[[TaskReport], None],
        buckets: Sequence[TokenBucket],
        claim_filename: Callable[[Path, str], str],
        total_rate: RollingRate | None = None,
        host_slots: HostSlots | None = None,
        config: TaskConfig | None = None,
        sync_folder: Callable[[Path], None] = sync_folder,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept = Kept(record, save, min_split=(config or TaskConfig()).min_split, clock=clock)
        self._http, self._pool = http, pool
        self._reload, self._report = reload, report
        self._note: str | None = None  # what the status says of this run, for the manager
        self.told: ReportKind | None = None  # the last step told: COMPLETED once it has
        self._locks, self._sync_folder = locks, sync_folder
        self._buckets, self._claim_filename = buckets, claim_filename
        self._config = config or TaskConfig(connections=record.connections)
        self._clock = clock
        self._lock = threading.Lock()
        self._phase = Phase.CREATED
        self._stop_reason: StopReason | None = None
        self._cancel = threading.Event()
        self._probe_guard: Guard | None = None
        self._transfer: Transfer | None = None
        self._rate = RollingRate(clock=clock)
        self._total_rate = total_rate
        self._host_slots = host_slots or HostSlots(1 << 30)
        self.finished = threading.Event()

    # -- from other threads -------------------------------------------------------------

    @property
    def record(self) -> DownloadRecord:
        """The record as this run last stored its parts (the request as the run began)."""
        return self._kept.record

    @property
    def phase(self) -> Phase:
        with self._lock:
            return self._phase

    def stop(self, reason: StopReason = StopReason.PAUSE) -> None:
        """Ask the task to stop; returns at once. Requests under way are interrupted."""
        with self._lock:
            if self._stop_reason is None:
                self._stop_reason = reason
            guard, transfer = self._probe_guard, self._transfer
        self._cancel.set()
        if guard is not None:
            guard.interrupt()
        if transfer is not None:
            transfer.interrupt()

    def live(self) -> tuple[int, float, tuple[ConnectionSnapshot, ...], tuple[ByteRange, ...]]:
        """(bytes written, speed, live connections, written regions) right now."""
        conns, done = self._kept.regions.snapshot()
        return total(done), self._rate.rate(), conns, done

    # -- the controller -------------------------------------------------------------------

    def _enter(self, phase: Phase) -> None:
        with self._lock:
            if phase is not Phase.ENDED and self._phase is Phase.ENDED:
                raise RuntimeError(f"download {self.record.id}: {phase.value} after its end")
            self._phase = phase

    def run(self) -> None:
        """Run to completion, failure, or stop. Never raises."""
        try:
            with self._locks.held(self.record.id) as held:
                if not held:  # nothing is saved: the row is the other process's
                    self._tell(ReportKind.BUSY, BUSY)
                    return
                self._run()
        except StoreSaveError as error:
            log.error("download %s: %s", self.record.id, error)
            self._tell(ReportKind.PAUSED, str(error), pause=PauseReason.STORE)
        except Exception as error:  # a bug must not kill the manager
            log.exception("download %s crashed", self.record.id)
            message = f"internal error: {type(error).__name__}"
            if str(error):
                message += f": {error}"
            try:
                self._end(ReportKind.FAILED, message)
            except Exception:  # not even that could be saved: report it as it stands
                self._tell(ReportKind.FAILED, message)
        finally:
            self._enter(Phase.ENDED)
            self._close_part()
            self.finished.set()

    def set_connections(self, count: int) -> None:
        """Run ``count`` connections from now (and in later attempts)."""
        with self._lock:
            self._config = replace(self._config, connections=count)
            transfer = self._transfer
        if transfer is not None:
            transfer.set_connections(count)

    def _run(self) -> None:
        self._enter(Phase.PREPARING)
        fresh = self._reload(self.record.id)
        if fresh is None:
            return  # removed meanwhile
        self._kept.record = fresh  # the store's: another process may have written it since
        if fresh.state is DownloadState.COMPLETED and fresh.path and fresh.path.exists():
            self._tell(ReportKind.COMPLETED, None)
            return
        self._kept.set_regions(fresh.size, fresh.done)
        self._tell(ReportKind.STARTED, None, request=fresh.request, durable=False)
        forms = Forms()
        restarts = Restarts(self._config.backoff, ask_first=self._config.ask_before_restart)
        while True:
            try:
                if self._transfer_until_done(forms):
                    self._finish()
                else:
                    self._stopped()
                return
            except RestartError as restart:
                # An error raised in this handler would escape the handlers beside it
                # (and end as an "internal error"): each is handled here.
                then = restarts.after(restart, self._kept.regions.done_bytes())
                if isinstance(then, DownloadError):
                    self._handle_error(then)
                    return
                if then is not None and self._cancel.wait(then):
                    self._stopped()
                    return
                log.warning("download %s starts over: %s", self.record.id, restart)
                self._kept.discard(keep_version=restart.failure)
                self._tell(ReportKind.UPDATED, f"started over: {restart}", durable=False)
            except StoreSaveError:
                raise  # nothing more can be recorded: run() reports it as it stands
            except DownloadError as error:
                self._handle_error(error)
                return

    def _handle_error(self, error: DownloadError) -> None:
        if self._cancel.is_set() and self._stop_reason is not None:
            self._stopped()
        elif isinstance(error, DiskFullError):
            self._save_progress()
            self._end(ReportKind.PAUSED, str(error), pause=PauseReason.DISK_FULL)
        else:
            self._save_progress()
            problem = None
            if isinstance(error, LoginRequiredError):
                problem = Problem.LOGIN
            elif isinstance(error, FileChangedError):
                problem = Problem.CHANGED
            self._end(ReportKind.FAILED, str(error), problem=problem)

    def _stopped(self) -> None:
        self._save_progress()
        if self._stop_reason is StopReason.SHUTDOWN:
            self._end(ReportKind.STOPPED, None)
        else:
            self._end(ReportKind.PAUSED, None, pause=PauseReason.USER)

    def _end(
        self,
        kind: ReportKind,
        note: str | None,
        *,
        pause: PauseReason | None = None,
        problem: Problem | None = None,
    ) -> None:
        """The run's end: the progress with it (stored), then the manager told."""
        self._kept.save_remote()
        self._tell(kind, note, pause=pause, problem=problem)

    def _tell(
        self,
        kind: ReportKind,
        note: str | None,
        *,
        pause: PauseReason | None = None,
        problem: Problem | None = None,
        request: Request | None = None,
        durable: bool = True,
    ) -> None:
        """Tell the manager (which writes the status): ``note`` is what the status says
        of this run from now."""
        self._note = note
        self.told = kind
        record = self.record
        report = TaskReport(
            kind, record.remote, record.progress, note, pause, problem, request, durable
        )
        self._report(report)

    def _save_progress(self) -> None:
        transfer = self._transfer
        self._kept.save_progress(writing=transfer is not None and transfer.running() > 0)

    def _open_part(self) -> bool:
        """Open the part file before trusting a byte of stored progress (``Kept``); True
        if that saved the record."""
        saved, note = self._kept.open_part()
        if note is not None:
            self._tell(ReportKind.UPDATED, note, durable=False)
        return saved

    def _close_part(self) -> None:
        transfer = self._transfer
        if transfer is not None and not transfer.wait(30.0):
            log.error("download %s: connections still busy; the file stays open", self.record.id)
            return  # never close a descriptor a late write could still use
        self._kept.close_part()

    # -- probe and transfer ----------------------------------------------------------------

    def _transfer_until_done(self, forms: Forms) -> bool:
        """Transfer until every byte is written (True) or a stop (False)."""
        while not self._cancel.is_set():
            self._enter(Phase.PREPARING)
            if self.record.part_id is not None or self._kept.regions.done:
                # Stored progress is trusted only in the file it was written to. A new
                # download's part file (or memory, ``_in_memory``) waits for the probe,
                # even when its name is known already.
                self._open_part()
            if self._kept.regions.complete():
                return True
            self._enter(Phase.PROBING)
            self._attempt(forms)
            if self._kept.regions.complete():
                return True
            self._save_progress()  # every connection ended without an error: go again
        return False

    def _attempt(self, forms: Forms) -> None:
        missing = self._kept.regions.missing()
        first = missing[0].first if missing and self._kept.regions.done else 0
        guard, response, answer = self._probe(first, forms)
        skip = 0 if answer.partial else first  # a whole-file answer is read on to ``first``
        try:
            self._adopt(answer, response, forms)
            if self._kept.regions.complete():  # an empty file
                response.close()
                return
            lease_last = self._kept.first_lease_last(
                answer.first + skip, missing, self._config.connections
            )
        except BaseException:
            response.close()
            raise
        self._enter(Phase.TRANSFERRING)
        record = self.record
        assert self._kept.part is not None
        transfer = Transfer(
            lambda: self.record,
            http=self._http,
            pool=self._pool,
            part=self._kept.part,
            regions=self._kept.regions,
            forms=forms,
            buckets=self._buckets,
            host_slots=self._host_slots,
            host=host_of(record.final_url or record.url),
            backoff=self._config.backoff,
            adopt_validators=lambda v: self._kept.save_remote(validators=v),
            rate=self._rate,
            total_rate=self._total_rate,
            sniff=not page_expected(record.filename, record.url, record.content_type),
        )
        with self._lock:
            self._transfer, self._probe_guard = transfer, None
        if self._cancel.is_set():
            transfer.interrupt()
        lease = self._kept.regions.open(answer.first + skip, lease_last)
        extra, inline = self._kept.more_connections(self._config.connections)
        opened = (response, guard)
        transfer.start(lease, opened, extra, skip=skip, body_last=answer.last, inline=inline)
        transfer.supervise(
            self._save_progress, self._config.save_interval, self._cancel, self._clock
        )

    def _probe(self, first: int, forms: Forms) -> tuple[Guard, httpx.Response, Answer]:
        def guarded(guard: Guard) -> None:
            with self._lock:
                self._probe_guard = guard

        def retrying(error: DownloadError, attempt: int, tries: int, delay: float) -> None:
            note = f"retrying ({attempt} of {tries}) in {delay:.0f} s: {error}"
            self._tell(ReportKind.UPDATED, note, durable=False)

        config = self._config
        probe = Probe(
            self._http,
            forms,
            min_split=config.min_split,
            backoff=config.backoff,
            cancel=self._cancel,
        )
        resumed = bool(self._kept.regions.done)
        guard, response, answer, adopted = probe.send(
            self.record, first, resumed=resumed, on_guard=guarded, on_retry=retrying
        )
        if adopted is not None:
            self._kept.save_remote(validators=adopted)
        return guard, response, answer

    def _adopt(self, answer: Answer, response: httpx.Response, forms: Forms) -> None:
        """Take what the probe taught (``taught``): size, validators, name; open the part
        file. What it taught is saved with the new part file's identity, in one durable
        write once the file exists: the record never names a part file it has not got the
        identity of (a crash between the two would make it refuse its own file)."""
        record, done = self.record, self._kept.regions.done
        learned = self._http.learned(record.url)
        remote, note = taught(
            record,
            answer,
            response,
            forms,
            kept=bool(done),
            learned=learned,
            claim_filename=self._claim_filename,
            folder_rule=self._config.folder_rule,
        )
        resumable = bool(remote.resumable)
        self._kept.record = replace(record, remote=remote)
        part_path = self.record.part_path
        in_memory = self._kept.fits_in_memory(answer.size, self._config.connections)
        if in_memory and part_path is not None and answer.size is not None:
            # Nothing is stored yet: a crash leaves neither a byte nor a name behind, and
            # the download runs again; a stop spills the bytes to a part file.
            self._kept.part = MemoryPart(part_path, answer.size)
        elif not self._open_part():
            self._kept.save_remote()
        self._tell(ReportKind.UPDATED, note, durable=False)
        part = self._kept.part
        assert part is not None
        if not resumable and self._kept.regions.done:
            part.truncate(0)
            done = ()
        self._kept.set_regions(answer.size, done if resumable else ())
        self._kept.make_room(answer.size, self._config.free_space)

    def _finish(self) -> None:
        self._enter(Phase.FINISHING)
        self._open_part()
        part = self._kept.part
        assert part is not None  # _open_part either opens it or raises
        self._kept.show_whole()
        self._tell(ReportKind.VERIFYING, None, durable=False)  # a long checksum shows
        try:
            done = self._kept.regions.done
            target = finishing.finish(
                part,
                self.record,
                done,
                claim_filename=self._claim_filename,
                sync_folder=self._sync_folder,
            )
        except ChecksumMismatchError:
            part.truncate(0)
            self._kept.set_regions(self.record.size, ())
            raise
        self._kept.part = None
        self._end_completed(target)

    def _end_completed(self, target: Path) -> None:
        # Made durable by the manager's status write that follows (one disk sync).
        self._kept.save_remote(filename=target.name, durable=False)
        self._tell(ReportKind.COMPLETED, None)
