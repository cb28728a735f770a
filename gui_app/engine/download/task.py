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
from typing import Protocol

import httpx

from gui_app.engine.api.errors import (
    ChecksumMismatchError,
    DiskFullError,
    DownloadError,
    FileChangedError,
    LoginRequiredError,
    RemoteChangedError,
    StoreSaveError,
    TransientError,
)
from gui_app.engine.api.models import DownloadState, PauseReason, Problem, Validators
from gui_app.engine.api.record import ConnectionSnapshot, DownloadRecord, Progress, Remote, Request
from gui_app.engine.disk.partfile import Part, PartFile, space_needed, sync_folder
from gui_app.engine.disk.store import StoreError
from gui_app.engine.disk.task_lock import TaskLocks
from gui_app.engine.download import finishing
from gui_app.engine.download.lifecycle import (
    BUSY,
    MAX_RESTARTS,
    Phase,
    ReportKind,
    StopReason,
    TaskConfig,
    TaskReport,
)
from gui_app.engine.download.memory_part import MemoryPart
from gui_app.engine.download.probe import Probe
from gui_app.engine.download.ratelimit import HostSlots, TokenBucket
from gui_app.engine.download.regions import Regions, plan
from gui_app.engine.download.stats import RollingRate
from gui_app.engine.download.taught import taught
from gui_app.engine.download.transfer import Transfer
from gui_app.engine.download.versions import Forms, RestartError
from gui_app.engine.http import Answer, Guard, HttpClient, host_of
from gui_app.ground.byteranges import ByteRange, total
from gui_app.ground.naming import page_expected
from gui_app.ground.units import format_bytes

__all__ = ["DownloadTask"]

log = logging.getLogger(__name__)

# A download with this little left is read by its controller thread itself, not handed to
# a pool thread: for many small files that hand-over (and back) cost more than the bytes.
# Progress is saved when it ends (or stops); at 50 KB/s that is within about five seconds.
# A new one this small is also held in memory until whole (``memory_part``).
INLINE_MAX = 256 * 1024


class TaskStore(Protocol):
    """What a task writes of the store: its own parts of the record, and nothing else
    (``Store``; ``durable`` False for a state on the way, which a power cut may undo
    without losing a byte)."""

    def save_remote(
        self, download_id: int, remote: Remote, progress: Progress, *, durable: bool = True
    ) -> None: ...

    def save_progress(
        self, download_id: int, progress: Progress, *, durable: bool = True
    ) -> None: ...


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
        self.record = record
        self._http, self._pool = http, pool
        self._store, self._reload, self._report = save, reload, report
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
        self._regions = Regions(record.size, record.done, clock=clock)
        self._part: Part | None = None
        self._rate = RollingRate(clock=clock)
        self._total_rate = total_rate
        self._host_slots = host_slots or HostSlots(1 << 30)
        self.finished = threading.Event()

    # -- from other threads -------------------------------------------------------------

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
        with self._lock:
            regions = self._regions
        conns, done = regions.snapshot()
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
        self.record = fresh  # the store's: another process may have written it since
        if fresh.state is DownloadState.COMPLETED and fresh.path and fresh.path.exists():
            self._tell(ReportKind.COMPLETED, None)
            return
        self._set_regions(self.record.size, self.record.done)
        self._tell(ReportKind.STARTED, None, request=fresh.request, durable=False)
        forms, restarts, failures = Forms(), 0, 0
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
                if restart.untrusted:
                    pass  # the same bytes tagged anew at each request: read whole, once
                elif restart.failure:
                    failures += 1
                    if failures > self._config.backoff.max_failures:
                        self._handle_error(TransientError(
                            f"{restart}; the server cannot resume and {failures} tries failed"
                        ))  # fmt: skip
                        return
                    if self._cancel.wait(self._config.backoff.delay(failures)):
                        self._stopped()
                        return
                else:
                    kept = self._regions.done_bytes()
                    if self._config.ask_before_restart and kept:
                        self._handle_error(FileChangedError(
                            f"{restart}: starting over would throw away the "
                            f"{format_bytes(kept)} downloaded; restart it, or give the "
                            "address of the file as it was"
                        ))  # fmt: skip
                        return
                    restarts += 1
                    if restarts > MAX_RESTARTS:
                        self._handle_error(RemoteChangedError(
                            f"{restart}; gave up after {restarts} tries"
                        ))  # fmt: skip
                        return
                log.warning("download %s starts over: %s", self.record.id, restart)
                self._discard_partial(str(restart), keep_version=restart.failure)
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
            problem = (Problem.LOGIN if isinstance(error, LoginRequiredError)
                       else Problem.CHANGED if isinstance(error, FileChangedError)
                       else None)  # fmt: skip
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
        self._save_remote()
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
        self._report(TaskReport(kind, record.remote, record.progress, note, pause, problem,
                                request, durable))  # fmt: skip

    def _save_remote(self, *, durable: bool = True, **changes: object) -> None:
        """Store what the server taught (``changes`` to it) with the progress so far."""
        record = self.record
        remote = replace(record.remote, **changes) if changes else record.remote  # type: ignore[arg-type]  # fields checked by replace at run time
        progress = Progress(self._regions.done, record.part_id)
        try:
            self._store.save_remote(record.id, remote, progress, durable=durable)
        except StoreError as error:
            raise StoreSaveError(f"progress could not be saved ({error}); paused") from error
        self.record = replace(record, remote=remote, progress=progress)

    def _save_progress(self) -> None:
        """Make written bytes durable, then record them: never the other way round."""
        done = self._regions.done
        part, part_id = self._part, self.record.part_id
        if isinstance(part, MemoryPart) and done:
            transfer = self._transfer
            if transfer is not None and transfer.running():
                return  # kept in memory while connections write to it; spilled at the end
            try:
                part = self._part = part.spill()
            except DownloadError as error:
                log.warning("could not keep the bytes of %s (%s); progress not saved",
                            part.path.name, error)  # fmt: skip
                return
            part_id = part.identity  # recorded with the bytes it holds
        elif part is not None:
            try:
                part.sync()
            except DownloadError:
                log.warning("could not sync %s; progress not saved", part.path)
                return
        progress = Progress(done, part_id)
        try:
            self._store.save_progress(self.record.id, progress)
        except StoreError as error:
            raise StoreSaveError(f"progress could not be saved ({error}); paused") from error
        self.record = replace(self.record, progress=progress)

    def _set_regions(self, size: int | None, done: Sequence[ByteRange], *,
                     max_claim: int | None = None) -> None:  # fmt: skip
        regions = Regions(size, done, min_split=self._config.min_split, max_claim=max_claim,
                          clock=self._clock)  # fmt: skip
        with self._lock:
            self._regions = regions

    def _discard_partial(self, why: str, *, keep_version: bool) -> None:
        if self._part is not None:
            self._part.truncate(0)
        self._set_regions(None, ())
        if keep_version:
            self._save_remote()
        else:
            self._save_remote(size=None, validators=Validators(), resumable=None)
        self._tell(ReportKind.UPDATED, f"started over: {why}", durable=False)

    # -- the part file -----------------------------------------------------------------

    def _open_part(self) -> bool:
        """Open the part file before trusting a byte of stored progress; True if that
        saved the record (a new part file's identity, or progress lost with it)."""
        record = self.record
        if self._part is not None or record.part_path is None:
            return False
        done = self._regions.done
        part, kept = PartFile.trusted(record.part_path, record.part_id, done)
        self._part = part
        note = None
        if kept != done:
            self._set_regions(record.size, kept)
            lost = "deleted" if not kept else "cut short"
            note = f"the partial file was {lost}; its missing bytes are fetched again"
        elif record.part_id == part.identity:
            return False
        self.record = replace(record, progress=Progress(record.done, part.identity))
        self._save_remote()
        if note is not None:
            self._tell(ReportKind.UPDATED, note, durable=False)
        return True

    def _close_part(self) -> None:
        transfer = self._transfer
        if transfer is not None and not transfer.wait(30.0):
            log.error("download %s: connections still busy; the file stays open", self.record.id)
            return  # never close a descriptor a late write could still use
        if self._part is not None:
            self._part.close()
            self._part = None

    # -- probe and transfer ----------------------------------------------------------------

    def _transfer_until_done(self, forms: Forms) -> bool:
        """Transfer until every byte is written (True) or a stop (False)."""
        while not self._cancel.is_set():
            self._enter(Phase.PREPARING)
            if self.record.part_id is not None or self._regions.done:
                # Stored progress is trusted only in the file it was written to. A new
                # download's part file (or memory, ``_in_memory``) waits for the probe,
                # even when its name is known already.
                self._open_part()
            if self._regions.complete():
                return True
            self._enter(Phase.PROBING)
            self._attempt(forms)
            if self._regions.complete():
                return True
            self._save_progress()  # every connection ended without an error: go again
        return False

    def _attempt(self, forms: Forms) -> None:
        missing = self._regions.missing()
        first = missing[0].first if missing and self._regions.done else 0
        guard, response, answer = self._probe(first, forms)
        skip = 0 if answer.partial else first  # a whole-file answer is read on to ``first``
        try:
            self._adopt(answer, response, forms)
            if self._regions.complete():  # an empty file
                response.close()
                return
            lease_last = self._first_lease_last(answer.first + skip, missing)
        except BaseException:
            response.close()
            raise
        self._enter(Phase.TRANSFERRING)
        record = self.record
        assert self._part is not None
        transfer = Transfer(
            lambda: self.record, http=self._http, pool=self._pool, part=self._part,
            regions=self._regions, forms=forms, buckets=self._buckets,
            host_slots=self._host_slots, host=host_of(record.final_url or record.url),
            backoff=self._config.backoff,
            adopt_validators=lambda v: self._save_remote(validators=v), rate=self._rate,
            total_rate=self._total_rate,
            sniff=not page_expected(record.filename, record.url, record.content_type),
        )  # fmt: skip
        with self._lock:
            self._transfer, self._probe_guard = transfer, None
        if self._cancel.is_set():
            transfer.interrupt()
        lease = self._regions.open(answer.first + skip, lease_last)
        count, _ = plan(record.size or 0, self._regions.done, self._config.connections,
                        self._config.min_split)  # fmt: skip
        extra = count - 1 if record.resumable and record.size else 0
        left = None if record.size is None else record.size - self._regions.done_bytes()
        inline = extra == 0 and left is not None and left <= INLINE_MAX
        transfer.start(lease, (response, guard), extra, skip=skip, body_last=answer.last,
                       inline=inline)  # fmt: skip
        self._supervise(transfer)

    def _probe(self, first: int, forms: Forms) -> tuple[Guard, httpx.Response, Answer]:
        def guarded(guard: Guard) -> None:
            with self._lock:
                self._probe_guard = guard

        def retrying(error: DownloadError) -> None:
            self._tell(ReportKind.UPDATED, f"{error}; retrying", durable=False)

        probe = Probe(self._http, forms, min_split=self._config.min_split,
                      backoff=self._config.backoff, cancel=self._cancel)  # fmt: skip
        guard, response, answer, adopted = probe.send(
            self.record, first, resumed=bool(self._regions.done), on_guard=guarded,
            on_retry=retrying,
        )  # fmt: skip
        if adopted is not None:
            self._save_remote(validators=adopted)
        return guard, response, answer

    def _adopt(self, answer: Answer, response: httpx.Response, forms: Forms) -> None:
        """Take what the probe taught (``taught``): size, validators, name; open the part
        file. What it taught is saved with the new part file's identity, in one durable
        write once the file exists: the record never names a part file it has not got the
        identity of (a crash between the two would make it refuse its own file)."""
        record, done = self.record, self._regions.done
        remote, note = taught(record, answer, response, forms, kept=bool(done),
                              learned=self._http.learned(record.url),
                              claim_filename=self._claim_filename)  # fmt: skip
        resumable = bool(remote.resumable)
        self.record = replace(record, remote=remote)
        part_path = self.record.part_path
        if self._in_memory(answer.size) and part_path is not None and answer.size is not None:
            # Nothing is stored yet: a crash leaves neither a byte nor a name behind, and
            # the download runs again; a stop spills the bytes to a part file.
            self._part = MemoryPart(part_path, answer.size)
        elif not self._open_part():
            self._save_remote()
        self._tell(ReportKind.UPDATED, note, durable=False)
        part = self._part
        assert part is not None
        if not resumable and self._regions.done:
            part.truncate(0)
            done = ()
        self._set_regions(answer.size, done if resumable else ())
        size = answer.size or 0
        needed = space_needed(self.record.part_path, answer.size, self._regions.done_bytes())
        free = self._config.free_space(self.record.dest_dir)
        if free < needed:
            raise DiskFullError(
                f"disk full: {needed - free} more bytes are needed in "
                f"{self.record.dest_dir} ({free} free, {needed} to download)"
            )
        part.preallocate(size)

    def _in_memory(self, size: int | None) -> bool:
        """Is this a small file to hold in memory until it is all here: new (no part file,
        no byte), of a known size up to ``INLINE_MAX``, on one connection?"""
        if size is None or not 0 < size <= INLINE_MAX:
            return False
        if self._part is not None or self._regions.done or self.record.part_id is not None:
            return False
        count, _ = plan(size, (), self._config.connections, self._config.min_split)
        return count == 1

    def _first_lease_last(self, start: int, missing: Sequence[ByteRange]) -> int | None:
        size, done = self.record.size, self._regions.done
        if size is None or not self.record.resumable:
            return None if size is None else size - 1
        _, share = plan(size, done, self._config.connections, self._config.min_split)
        self._set_regions(size, done, max_claim=share)
        last = missing[0].last if missing and done else size - 1
        return min(last, start + share - 1)

    def _supervise(self, transfer: Transfer) -> None:
        """Save every ``save_interval`` until the connections are done; then settle."""
        interval = self._config.save_interval
        next_save = self._clock() + interval
        try:
            while not transfer.wait(max(0.0, min(0.25, next_save - self._clock()))):
                if self._clock() >= next_save:
                    self._save_progress()
                    next_save = self._clock() + interval
                if self._regions.complete():
                    transfer.retire()
                elif transfer.trouble() is not None or self._cancel.is_set():
                    transfer.interrupt()
        except StoreSaveError:
            transfer.interrupt()
            transfer.wait(30.0)
            raise
        trouble = transfer.trouble()
        if trouble is not None and not self._regions.complete():
            raise trouble

    def _finish(self) -> None:
        self._enter(Phase.FINISHING)
        self._open_part()
        part = self._part
        assert part is not None  # _open_part either opens it or raises
        size = self.record.size if self.record.size is not None else total(self._regions.done)
        # Shown, not stored: after a crash it is verified again anyway.
        record = self.record
        self.record = replace(
            record,
            remote=replace(record.remote, size=size),
            progress=replace(record.progress, done=self._regions.done),
        )
        self._tell(ReportKind.VERIFYING, None, durable=False)  # a long checksum shows
        try:
            target = finishing.finish(part, self.record, self._regions.done,
                                      claim_filename=self._claim_filename,
                                      sync_folder=self._sync_folder)  # fmt: skip
        except ChecksumMismatchError:
            part.truncate(0)
            self._set_regions(self.record.size, ())
            raise
        self._part = None
        self._end_completed(target)

    def _end_completed(self, target: Path) -> None:
        # Made durable by the manager's status write that follows (one disk sync).
        self._save_remote(filename=target.name, durable=False)
        self._tell(ReportKind.COMPLETED, None)
