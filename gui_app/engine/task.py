"""One download's lifecycle: probe, segmented transfer, durable progress, verify, rename.

``DownloadTask.run`` blocks on a controller thread: it sends the probe, hands the probe's
body to the first connection, starts more connections on the manager's worker pool (each
claims a region with ``segments.next_claim``), saves progress every ``save_interval``
(data fdatasync'ed *before* the store records it), and finishes with verification and an
atomic rename. ``stop`` pauses it from any thread within a second. Workers never block on
a lock while doing I/O; the lock guards only the region bookkeeping.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from gui_app.engine.connection import check_range_response, raise_for_status
from gui_app.engine.errors import (
    ChecksumMismatchError,
    DiskFullError,
    DownloadError,
    InvalidURLError,
    PermanentError,
    ProtocolError,
    RemoteChangedError,
    RetryAfterError,
    TransientError,
)
from gui_app.engine.models import (
    ConnectionSnapshot,
    DownloadRecord,
    DownloadState,
    Validators,
)
from gui_app.engine.partfile import PartFile, check_free_space
from gui_app.engine.probe import ProbeResult, read_probe
from gui_app.engine.ranges import ByteRange, format_range_header
from gui_app.engine.ratelimit import HostSlots, TokenBucket, acquire
from gui_app.engine.retry import Backoff
from gui_app.engine.segments import MIN_SPLIT, Active, add, gaps, next_claim, total
from gui_app.engine.stats import RollingRate
from gui_app.engine.urls import redact_url

__all__ = ["DownloadTask", "StopReason", "TaskConfig", "TaskReport"]

log = logging.getLogger(__name__)

MAX_RESTARTS = 2


@dataclass(frozen=True, slots=True)
class TaskConfig:
    connections: int = 8
    save_interval: float = 2.0
    stall_timeout: float = 20.0
    min_split: int = MIN_SPLIT
    backoff: Backoff = field(default_factory=Backoff)
    # A connection is abandoned to a faster one when its owed bytes would take this many
    # seconds at its speed and it runs at under a quarter of the idle connection's speed.
    steal_after: float = 2.0


class StopReason:
    PAUSE = "pause"  # the user (or Ctrl-C): end PAUSED
    SHUTDOWN = "shutdown"  # the app quits: end QUEUED, so it resumes on the next start


@dataclass(frozen=True, slots=True)
class TaskReport:
    """Sent to the manager on each transition; ``kind`` names the event."""

    record: DownloadRecord
    kind: str  # "started", "updated", "paused", "completed", "failed", "stopped"


class _RestartError(Exception):
    """The remote file changed or stopped honouring ranges: start over from byte 0."""


@dataclass(slots=True)
class _Conn:
    """A live connection's region; mutated only under the task's lock."""

    first: int
    position: int  # next byte to reserve; bytes before it are written or being written
    last: int | None  # None: unknown size, read to the end
    rate: RollingRate
    started: float
    response: httpx.Response | None = None
    abandoned: bool = False  # its region went to a faster connection; errors are benign


class DownloadTask:
    def __init__(
        self,
        record: DownloadRecord,
        *,
        client: httpx.Client,
        pool: Executor,
        save: Callable[[DownloadRecord], DownloadRecord],
        report: Callable[[TaskReport], None],
        buckets: Sequence[TokenBucket],
        claim_filename: Callable[[Path, str], str],
        total_rate: RollingRate | None = None,
        host_slots: HostSlots | None = None,
        config: TaskConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.record = record
        self._client = client
        self._pool = pool
        self._save_record = save
        self._report = report
        self._buckets = buckets
        self._claim_filename = claim_filename
        self._config = config or TaskConfig(connections=record.connections)
        self._clock = clock
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._wake = threading.Event()
        self._linger = threading.Event()  # wakes idle connections: retired or stopped
        self._stop_reason: str | None = None
        self._conns: dict[int, _Conn] = {}
        self._to_close: list[httpx.Response] = []
        self._next_conn = 0
        self._workers = 0
        self._retired = False  # the transfer is over: workers must claim nothing more
        self._share: int | None = None  # the most one claim of unclaimed bytes may take
        self._done: tuple[ByteRange, ...] = record.done
        self._fatal: DownloadError | None = None
        self._restart: str | None = None
        self._part: PartFile | None = None
        self._rate = RollingRate(clock=clock)
        self._total_rate = total_rate
        self._host_slots = host_slots or HostSlots(1 << 30)
        self.finished = threading.Event()

    # -- control from other threads ----------------------------------------------------

    def stop(self, reason: str = StopReason.PAUSE) -> None:
        """Ask the task to stop; returns at once. Blocked reads are interrupted."""
        with self._lock:
            if self._stop_reason is None:
                self._stop_reason = reason
            responses = [c.response for c in self._conns.values() if c.response is not None]
        self._cancel.set()
        self._wake.set()
        self._linger.set()
        for response in responses:
            _close_quietly(response)

    def live(self) -> tuple[int, float, tuple[ConnectionSnapshot, ...], tuple[ByteRange, ...]]:
        """(bytes written, speed, live connections, written regions) right now."""
        with self._lock:
            done = self._done
            conns = tuple(
                ConnectionSnapshot(c.first, c.position, c.last, c.rate.rate())
                for c in self._conns.values()
                if c.last is not None
            )
        return total(done), self._rate.rate(), conns, done

    # -- the controller ----------------------------------------------------------------

    def run(self) -> None:
        """Run to completion, failure, or stop. Never raises."""
        try:
            self._run()
        except Exception as error:  # a bug must not kill the manager
            log.exception("download %s crashed", self.record.id)
            self._end(DownloadState.FAILED, f"internal error: {error}", "failed")
        finally:
            if self._part is not None:
                self._part.close()
            self.finished.set()

    def _run(self) -> None:
        self._update(state=DownloadState.RUNNING, error=None)
        self._report(TaskReport(self.record, "started"))
        restarts = 0
        while True:
            try:
                self._transfer()
                break
            except _RestartError as restart:
                restarts += 1
                if restarts > MAX_RESTARTS:
                    self._fail(RemoteChangedError(f"{restart}; gave up after {restarts} tries"))
                    return
                log.warning("download %s starts over: %s", self.record.id, restart)
                self._discard_partial(str(restart))
            except DownloadError as error:
                self._handle_error(error)
                return
        if self._cancel.is_set():
            self._stopped()
            return
        try:
            self._verify_and_finish()
        except DownloadError as error:
            self._handle_error(error)

    def _handle_error(self, error: DownloadError) -> None:
        if self._cancel.is_set() and self._stop_reason is not None:
            self._stopped()
        elif isinstance(error, DiskFullError):
            self._save_progress()
            self._end(DownloadState.PAUSED, str(error), "paused")
        else:
            self._fail(error)

    def _fail(self, error: DownloadError) -> None:
        self._save_progress()
        self._end(DownloadState.FAILED, str(error), "failed")

    def _stopped(self) -> None:
        self._save_progress()
        if self._stop_reason == StopReason.SHUTDOWN:
            self._end(DownloadState.QUEUED, None, "stopped")
        else:
            self._end(DownloadState.PAUSED, None, "paused")

    def _end(self, state: DownloadState, error: str | None, kind: str) -> None:
        self._update(state=state, error=error)
        self._report(TaskReport(self.record, kind))

    def _update(self, **changes: object) -> None:
        with self._lock:
            done = self._done
        self.record = self._save_record(replace(self.record, done=done, **changes))  # type: ignore[arg-type]  # fields checked by replace at run time

    def _save_progress(self) -> None:
        """Make written bytes durable, then record them: never the other way round."""
        with self._lock:
            done = self._done
        if self._part is not None:
            try:
                self._part.sync()
            except DownloadError:
                log.warning("could not sync %s; progress not saved", self._part.path)
                return
        self.record = self._save_record(replace(self.record, done=done))

    def _discard_partial(self, why: str) -> None:
        # No old connection may write once the file is truncated for the new version.
        if not self._wait_for_workers(timeout=30.0):
            raise DownloadError("could not stop the old connections to start over")
        with self._lock:
            self._done = ()
            self._conns.clear()
            self._fatal = None
            self._restart = None
            if self._stop_reason is None:
                self._cancel.clear()  # set only to stop the old connections
        if self._part is not None:
            self._part.truncate(0)
        self._update(
            size=None, validators=Validators(), resumable=None, error=f"started over: {why}"
        )

    # -- transfer ----------------------------------------------------------------------

    def _transfer(self) -> None:
        with self._lock:
            self._retired = False
        self._linger.clear()
        record = self.record
        first, last = 0, None
        if record.size is not None and self._done:
            missing = gaps(record.size, self._done)
            if not missing:
                return
            first, last = missing[0].first, missing[0].last
        response = self._probe(first, last)
        try:
            info = read_probe(response, record.url, first, last, record.size)
            self._check_not_expired(info)
            self._adopt(info, response)
        except BaseException:
            response.close()
            raise
        if info.size is None:
            conn_last = None
        elif info.status == 206 and last is not None:
            conn_last = last
        else:
            conn_last = info.size - 1
        if conn_last is not None and self.record.resumable:
            # Connections that start together share the work evenly: the first keeps
            # only its share, and the others take the largest unclaimed regions.
            remaining = (info.size or 0) - total(self._done)
            share = -(-remaining // self._planned_connections())  # ceiling division
            self._share = max(share, self._config.min_split)
            conn_last = min(conn_last, info.body_first + self._share - 1)
        conn = self._register(info.body_first, conn_last)
        conn.response = response
        host = _host_name(self.record.final_url or self.record.url)
        self._spawn(conn, self._host_slots.take(host, 1, at_least_one=True), host)
        if self.record.resumable and self.record.size:
            extra = self._host_slots.take(host, self._planned_connections() - 1)
            for _ in range(extra):
                self._spawn(None, 1, host)
        self._supervise()

    def _planned_connections(self) -> int:
        """As many connections as asked for, but none with less than a minimum split."""
        remaining = (self.record.size or 0) - total(self._done)
        return max(1, min(self._config.connections, remaining // self._config.min_split))

    def _probe(self, first: int, last: int | None) -> httpx.Response:
        """Send the first request, retrying transient failures with backoff."""
        failures = 0
        while True:
            if self._cancel.is_set():
                raise TransientError("stopped")
            try:
                response = self._send(first, last, if_range=bool(self._done))
                try:
                    raise_for_status(response)
                except BaseException:
                    response.close()
                    raise
                return response
            except TransientError as error:
                failures += 1
                if failures > self._config.backoff.max_failures:
                    raise
                retry_after = error.retry_after if isinstance(error, RetryAfterError) else None
                delay = self._config.backoff.delay(failures, retry_after)
                log.info("download %s: %s; retrying in %.1f s", self.record.id, error, delay)
                self._update(error=f"{error}; retrying")
                if self._cancel.wait(delay):
                    raise TransientError("stopped") from None

    def _send(self, first: int, last: int | None, *, if_range: bool) -> httpx.Response:
        headers = dict(self.record.headers)
        headers["Range"] = format_range_header(
            ByteRange(first, last) if last is not None else None, first=first
        )
        validator = self.record.validators.if_range()
        if if_range and validator:
            headers["If-Range"] = validator
        url = self.record.final_url or self.record.url
        try:
            request = self._client.build_request("GET", url, headers=headers)
            return self._client.send(request, stream=True)
        except httpx.InvalidURL as error:
            raise InvalidURLError(f"invalid URL: {error}") from None
        except httpx.UnsupportedProtocol as error:
            raise InvalidURLError(f"unsupported URL: {error}") from None
        except httpx.TooManyRedirects:
            raise PermanentError("too many redirects") from None
        except httpx.TimeoutException:
            raise TransientError(f"no answer from {_host(url)} (timed out)") from None
        except httpx.TransportError as error:
            raise TransientError(f"connection to {_host(url)} failed: {error}") from None

    def _check_not_expired(self, info: ProbeResult) -> None:
        """A resumed download whose answer became an HTML page: the link expired."""
        if self._done:
            self._refuse_web_page(info.content_type)

    def _check_not_a_web_page(self, response: httpx.Response) -> None:
        self._refuse_web_page(response.headers.get("content-type"))

    def _refuse_web_page(self, content_type: str | None) -> None:
        was = (self.record.content_type or "").lower()
        if (content_type or "").lower().startswith("text/html") and not was.startswith("text/html"):
            raise RemoteChangedError(
                "the server now answers with a web page instead of the file: the link "
                "probably expired (partial data kept)"
            )

    def _adopt(self, info: ProbeResult, response: httpx.Response) -> None:
        """Take what the probe taught: size, validators, name; open the .part file."""
        record = self.record
        if info.status != 206 and self._done:
            why = (
                "the file on the server changed"
                if record.validators.if_range()
                else "the server stopped honouring byte ranges"
            )
            raise _RestartError(why)
        filename = record.filename
        if filename is None:
            filename = self._claim_filename(record.dest_dir, info.filename)
        resumable = info.resumable and info.size is not None
        if info.status == 200 and response.headers.get("accept-ranges", "").lower() == "bytes":
            log.info("download %s: server sent 200 to a range request", record.id)
        self._update(
            filename=filename,
            final_url=info.final_url if info.final_url != record.url else None,
            size=info.size,
            validators=info.validators,
            content_type=info.content_type,
            resumable=resumable,
            error=None
            if resumable
            else "the server does not support resuming: "
            "pausing will restart this download from the beginning",
        )
        self._report(TaskReport(self.record, "updated"))
        remaining = (info.size or 0) - total(self._done)
        part_path = self.record.part_path
        assert part_path is not None
        if remaining > 0:
            check_free_space(record.dest_dir, remaining)
        if self._part is None:
            self._part = PartFile.open(part_path, info.size)
        if not resumable:
            with self._lock:
                self._done = ()
            self._part.truncate(0)

    # -- connections -------------------------------------------------------------------

    def _register(self, first: int, last: int | None) -> _Conn:
        conn = _Conn(first, first, last, RollingRate(window=3.0, clock=self._clock), self._clock())
        with self._lock:
            self._conns[self._next_conn] = conn
            self._next_conn += 1
        return conn

    def _spawn(self, conn: _Conn | None, slots: int, host: str) -> None:
        with self._lock:
            self._workers += 1
        self._pool.submit(self._worker, conn, slots, host)

    def _claim(self, my_speed: float) -> _Conn | None:
        size = self.record.size
        if size is None:
            return None
        with self._lock:
            if self._cancel.is_set() or self._fatal is not None or self._retired:
                return None
            ids = [i for i, c in self._conns.items() if c.last is not None]
            actives = [Active(self._conns[i].first, self._conns[i].position,
                              self._conns[i].last or 0) for i in ids]  # fmt: skip
            claim = next_claim(
                size, self._done, actives, self._config.min_split, max_claim=self._share
            )
            if claim is None:
                claim_range = self._steal(ids, my_speed)
                if claim_range is None:
                    return None
            else:
                claim_range = claim.range
                if claim.shrink is not None:
                    self._conns[ids[claim.shrink]].last = claim.range.first - 1
            conn = _Conn(
                claim_range.first,
                claim_range.first,
                claim_range.last,
                RollingRate(window=3.0, clock=self._clock),
                self._clock(),
            )
            self._conns[self._next_conn] = conn
            self._next_conn += 1
            to_close, self._to_close = self._to_close, []
        for response in to_close:
            _close_quietly(response)
        return conn

    def _steal(self, ids: list[int], my_speed: float) -> ByteRange | None:
        """End game (lock held): take over the rest of a connection far slower than us."""
        if my_speed <= 0:
            return None
        best: tuple[float, int] | None = None
        now = self._clock()
        for conn_id in ids:
            conn = self._conns[conn_id]
            if conn.last is None or conn.position > conn.last:
                continue
            if now - conn.started < self._config.steal_after:
                continue  # too young to judge: its rolling speed is still ramping up
            owed = conn.last - conn.position + 1
            speed = conn.rate.rate()
            seconds_left = owed / max(speed, 1.0)
            crawling = speed * 4 < my_speed and seconds_left > self._config.steal_after
            if crawling and (best is None or seconds_left > best[0]):
                best = (seconds_left, conn_id)
        if best is None:
            return None
        slow = self._conns[best[1]]
        assert slow.last is not None
        taken = ByteRange(slow.position, slow.last)
        slow.last = slow.position - 1  # whatever it has not reserved yet is ours now
        slow.abandoned = True
        if slow.response is not None:
            self._to_close.append(slow.response)
        log.info("download %s: a slow connection's %d bytes go to a faster one",
                 self.record.id, taken.length)  # fmt: skip
        return taken

    def _worker(self, initial: _Conn | None, slots: int, host: str) -> None:
        failures = 0
        speed = 0.0
        conn = initial
        try:
            while not self._cancel.is_set():
                if conn is None:
                    conn = self._claim(speed)
                    if conn is None:
                        # Linger while others still owe bytes: one may turn out slow
                        # enough to take over (see _steal).
                        if not self._others_owe():
                            return
                        self._linger.wait(0.25)
                        continue
                before = conn.position
                try:
                    try:
                        self._fetch(conn)
                    except Exception:
                        if not conn.abandoned:  # a robbed connection's end is no failure
                            raise
                    speed = max(speed, conn.rate.rate())
                    failures = 0
                except _RestartError as restart:
                    self._set_fatal(None, restart=str(restart))
                    return
                except TransientError as error:
                    if self._cancel.is_set():
                        return
                    # Only failures in a row without a byte of progress count.
                    failures = 1 if conn.position > before else failures + 1
                    if failures > self._config.backoff.max_failures:
                        self._set_fatal(error)
                        return
                    retry_after = error.retry_after if isinstance(error, RetryAfterError) else None
                    delay = self._config.backoff.delay(failures, retry_after)
                    log.info("download %s: %s; retry in %.1f s", self.record.id, error, delay)
                    self._release(conn)
                    conn = None
                    if self._cancel.wait(delay):
                        return
                    continue
                except DownloadError as error:
                    if not self._cancel.is_set():
                        self._set_fatal(error)
                    return
                except Exception as error:  # a stop can surface as anything
                    if self._cancel.is_set():
                        return
                    log.exception("download %s: unexpected error", self.record.id)
                    self._set_fatal(DownloadError(f"internal error: {error}"))
                    return
                self._release(conn)
                conn = None
        finally:
            if conn is not None:
                self._release(conn)
            self._host_slots.give_back(host, slots)
            with self._lock:
                self._workers -= 1
            self._wake.set()

    def _others_owe(self) -> bool:
        with self._lock:
            return not self._retired and any(
                c.last is not None and c.position <= c.last for c in self._conns.values()
            )

    def _set_fatal(self, error: DownloadError | None, *, restart: str | None = None) -> None:
        with self._lock:
            if self._fatal is None and self._restart is None:
                self._fatal = error
                self._restart = restart
        # Stop the other connections; their regions stay recorded as far as written.
        with self._lock:
            responses = [c.response for c in self._conns.values() if c.response is not None]
        self._cancel.set()
        for response in responses:
            _close_quietly(response)
        self._wake.set()

    def _release(self, conn: _Conn) -> None:
        with self._lock:
            for key, value in list(self._conns.items()):
                if value is conn:
                    del self._conns[key]
            response, conn.response = conn.response, None
        if response is not None:
            response.close()

    def _fetch(self, conn: _Conn) -> None:
        """Fetch ``conn``'s region (reusing the probe's response for the first one)."""
        response = conn.response
        if response is None:
            with self._lock:
                first, last = conn.position, conn.last
            if last is None or first > last:
                return
            response = self._send(first, last, if_range=True)
            with self._lock:
                conn.response = response
            if self._cancel.is_set():
                return
            raise_for_status(response)
            self._check_not_a_web_page(response)
            if response.status_code != 206:
                raise _RestartError(
                    "the file on the server changed"
                    if self.record.validators.if_range()
                    else "the server stopped honouring byte ranges"
                )
            check_range_response(response, first, last, self.record.size)
        self._consume(conn, response)

    def _consume(self, conn: _Conn, response: httpx.Response) -> None:
        part = self._part
        assert part is not None
        buckets = self._buckets
        try:
            # Network-sized chunks: a fixed size would hold a slow stream's bytes back.
            for chunk in response.iter_raw():
                if self._cancel.is_set():
                    return
                if buckets and not acquire(buckets, len(chunk), self._cancel):
                    return
                with self._lock:
                    offset = conn.position
                    if conn.last is None:
                        allowed = len(chunk)
                    else:
                        allowed = max(0, min(len(chunk), conn.last - offset + 1))
                    conn.position += allowed
                if allowed:
                    part.write(offset, chunk if allowed == len(chunk) else chunk[:allowed])
                    with self._lock:
                        self._done = add(self._done, ByteRange(offset, offset + allowed - 1))
                    conn.rate.add(allowed)
                    self._rate.add(allowed)
                    if self._total_rate is not None:
                        self._total_rate.add(allowed)
                if conn.last is not None and conn.position > conn.last:
                    return  # region complete (or handed to a faster connection)
        except httpx.TimeoutException:
            raise TransientError(
                f"no data for {self._config.stall_timeout:g} s; reconnecting"
            ) from None
        except httpx.TransportError as error:
            if self._cancel.is_set():
                return
            raise TransientError(f"connection lost: {error}") from None
        if self._cancel.is_set():
            return
        if conn.last is None:
            # Unknown size: the body's end is the file's end.
            with self._lock:
                size = conn.position
            self.record = replace(self.record, size=size)
            return
        if conn.position <= conn.last:
            raise TransientError(f"the server closed the connection at byte {conn.position}")

    def _supervise(self) -> None:
        """Save every ``save_interval`` until the workers are done; then settle."""
        try:
            self._watch()
        finally:
            with self._lock:
                self._retired = True
            self._linger.set()
        self._settle()

    def _watch(self) -> None:
        interval = self._config.save_interval
        next_save = self._clock() + interval
        while True:
            self._wake.wait(max(0.0, next_save - self._clock()))
            self._wake.clear()
            with self._lock:
                workers = self._workers
                _fatal, _restart = self._fatal, self._restart
            if self._clock() >= next_save:
                self._save_progress()
                next_save = self._clock() + interval
            if workers == 0:
                break
            if self._all_written():
                self._abandon_stragglers()
                break
            if self._cancel.is_set():
                # Give blocked workers a moment; their responses were closed.
                self._wait_for_workers(timeout=5.0)
                break

    def _settle(self) -> None:
        with self._lock:
            fatal, restart = self._fatal, self._restart
        if restart is not None or self._restart is not None:
            raise _RestartError(restart or self._restart or "restart")
        if fatal is not None or self._fatal is not None:
            error = fatal or self._fatal
            assert error is not None
            raise error
        if self._cancel.is_set():
            return
        size = self.record.size
        if size is not None and gaps(size, self._done):
            # Every worker ended without an error but bytes are missing: go again.
            self._save_progress()
            self._transfer()

    def _all_written(self) -> bool:
        size = self.record.size
        with self._lock:
            return size is not None and not gaps(size, self._done) and self._fatal is None

    def _abandon_stragglers(self) -> None:
        """Every byte is on disk: connections still open have nothing left to write."""
        with self._lock:
            stragglers = list(self._conns.values())
            for conn in stragglers:
                conn.abandoned = True
        for conn in stragglers:
            if conn.response is not None:
                _close_quietly(conn.response)

    def _wait_for_workers(self, timeout: float) -> bool:
        deadline = self._clock() + timeout
        while True:
            with self._lock:
                if self._workers == 0:
                    return True
            if self._clock() >= deadline:
                return False
            self._wake.wait(0.05)
            self._wake.clear()

    # -- the end -----------------------------------------------------------------------

    def _verify_and_finish(self) -> None:
        part = self._part
        record = self.record
        assert part is not None
        size = record.size if record.size is not None else total(self._done)
        if size and self._done != (ByteRange(0, size - 1),):
            raise ProtocolError(
                f"internal check failed: {total(self._done)} of {size} bytes accounted for"
            )
        self._update(state=DownloadState.VERIFYING, size=size)
        self._report(TaskReport(self.record, "updated"))  # a long checksum must show as such
        part.sync()
        if part.size_on_disk() < size:
            raise ProtocolError("the partial file is shorter than the bytes recorded")
        if record.checksum is not None:
            digest = _digest(part, record.checksum.algorithm, size)
            if digest != record.checksum.hexdigest:
                self._wait_for_workers(timeout=30.0)
                with self._lock:
                    self._done = ()
                part.truncate(0)
                raise ChecksumMismatchError(
                    f"{record.checksum.algorithm} mismatch: expected "
                    f"{record.checksum.hexdigest}, got {digest}; the data was discarded"
                )
        filename = self.record.filename
        assert filename is not None
        target = self.record.dest_dir / filename
        if target.exists():
            target = self.record.dest_dir / self._claim_filename(self.record.dest_dir, filename)
        part.finish(target, size)
        self._part = None
        self._update(
            state=DownloadState.COMPLETED,
            filename=target.name,
            error=None,
            completed_at=time.time(),
        )
        self._report(TaskReport(self.record, "completed"))


def _digest(part: PartFile, algorithm: str, size: int) -> str:
    digest = hashlib.new(algorithm)
    with part.path.open("rb") as handle:
        remaining = size
        while remaining > 0:
            chunk = handle.read(min(remaining, 1 << 20))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def _close_quietly(response: httpx.Response) -> None:
    """Close a response another thread may be reading; that reader gets an error."""
    try:
        response.close()
    except Exception:  # racing the reader can raise anything from the pool
        log.debug("closing a response raised", exc_info=True)


def _host_name(url: str) -> str:
    return urlsplit(url).hostname or ""


def _host(url: str) -> str:
    return redact_url(url).split("/")[2] if "://" in url else redact_url(url)
