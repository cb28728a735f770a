"""One attempt at one version of a file: connections on the pool, each fetching a region,
supervised until every byte is written, a stop, or a reason to give up or start over.

Every response is checked (``http.read_answer``) and compared with the version whose
bytes are on disk (``judge``) before a byte of it is written. A 200 that is the same
version is read on when its region starts near byte 0, else asked again, with
open-ended ranges after a second such answer (servers that honour only ``bytes=N-``).
A body that would start a file is sniffed for the web page an expired link returns. A
cut body of a download that cannot resume starts it over (``RestartError``), never ends it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

import httpx

from gui_app.engine.api.errors import (
    DownloadError,
    RemoteChangedError,
    RetryAfterError,
    StoreSaveError,
    TransientError,
)
from gui_app.engine.api.models import Validators
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.api.retry import Backoff
from gui_app.engine.disk.partfile import Part
from gui_app.engine.download.ratelimit import HostSlots, TokenBucket, acquire
from gui_app.engine.download.regions import Lease, Regions
from gui_app.engine.download.stats import RollingRate
from gui_app.engine.download.versions import EXPIRED, Forms, RestartError, judge
from gui_app.engine.http import Answer, Guard, HttpClient, read_answer
from gui_app.engine.http.checks import is_page_type, looks_like_a_page

__all__ = ["READ_ON", "Transfer"]

log = logging.getLogger(__name__)

READ_ON = 1 << 20  # a whole-file answer for a region starting this near byte 0 is read on
SNIFF = 512  # bytes of a body looked at before it may start a file
RATE_SLICE = 64 * 1024  # under a speed limit, bytes are paced and counted this many at a time
# The probe's response, its guard, the body bytes to skip, and the last byte it carries.
_Opened = tuple[httpx.Response, Guard, int, int | None]


class Transfer:
    """The connections of one attempt; ``run`` blocks until they are all done."""

    def __init__(
        self,
        record: Callable[[], DownloadRecord],
        *,
        http: HttpClient,
        pool: Executor,
        part: Part,
        regions: Regions,
        forms: Forms,
        buckets: Sequence[TokenBucket],
        host_slots: HostSlots,
        host: str,
        backoff: Backoff,
        adopt_validators: Callable[[Validators], None],
        rate: RollingRate,
        total_rate: RollingRate | None,
        sniff: bool,
    ) -> None:
        self._record = record
        self._http = http
        self._pool = pool
        self._part = part
        self.regions = regions
        self._forms = forms
        self._buckets = buckets
        self._host_slots = host_slots
        self._host = host
        self._backoff = backoff
        self._cancel = threading.Event()  # this attempt's: set by a stop, trouble, or retire
        self._adopt_validators = adopt_validators
        self._rate = rate
        self._total_rate = total_rate
        self._sniff = sniff
        self._lock = threading.Lock()
        self._workers = 0
        self._wanted: int | None = None  # connections the user asked for while it runs
        self._leaving = 0  # workers on their way out because fewer are wanted
        self._idle = threading.Condition(self._lock)
        self._guards: dict[Lease, Guard] = {}
        self._trouble: DownloadError | RestartError | None = None
        self._linger = threading.Event()

    # -- from the controller ---------------------------------------------------------------

    def start(
        self,
        lease: Lease,
        opened: tuple[httpx.Response, Guard],
        extra: int,
        *,
        skip: int = 0,
        body_last: int | None = None,
        inline: bool = False,
    ) -> None:
        """Run the probe's response on ``lease`` (passing over its first ``skip`` bytes; it
        carries bytes up to ``body_last``), and ``extra`` more connections. ``inline``:
        read the probe's response on the calling thread, returning when it is done (a
        small file: no hand-over to a pool thread and back)."""
        probe = (opened[0], opened[1], skip, body_last)
        slots = self._host_slots.take(self._host, 1, at_least_one=True)
        if not inline:  # its response is open already: its bytes come first
            self._spawn(slots, lease, probe)
        for _ in range(self._host_slots.take(self._host, extra) if extra > 0 else 0):
            self._spawn(1, None, None)
        if inline:
            with self._lock:
                self._workers += 1
            self._worker(slots, lease, probe)

    def set_connections(self, count: int) -> None:
        """Run ``count`` connections from now: more start at once (as the host's slots
        allow); extra ones end when they finish their current region, losing nothing."""
        with self._lock:
            self._wanted = count
            more = count - (self._workers - self._leaving)
        if more > 0 and not self._cancel.is_set() and not self._linger.is_set():
            for _ in range(self._host_slots.take(self._host, more)):
                self._spawn(1, None, None)

    def _should_leave(self) -> bool:
        """Between regions: is this worker one too many? It then counts as leaving."""
        with self._lock:
            if self._wanted is None or self._workers - self._leaving <= max(1, self._wanted):
                return False
            self._leaving += 1
            return True

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for every connection to end; False if some still run."""
        with self._idle:
            return self._idle.wait_for(lambda: self._workers == 0, timeout)

    def running(self) -> int:
        with self._lock:
            return self._workers

    def trouble(self) -> DownloadError | RestartError | None:
        with self._lock:
            return self._trouble

    def interrupt(self) -> None:
        """Stop every connection now (their requests are shut, their regions kept)."""
        self._cancel.set()
        self._linger.set()
        with self._lock:
            guards = list(self._guards.values())
        for guard in guards:
            guard.interrupt()

    def supervise(
        self,
        save: Callable[[], None],
        interval: float,
        cancel: threading.Event,
        clock: Callable[[], float],
    ) -> None:
        """From the controller: ``save`` every ``interval`` seconds until the connections
        are done, stopping them at a trouble or ``cancel``; then raise the trouble that
        ended them, unless every byte is here."""
        next_save = clock() + interval
        try:
            while not self.wait(max(0.0, min(0.25, next_save - clock()))):
                if clock() >= next_save:
                    save()
                    next_save = clock() + interval
                if self.regions.complete():
                    self.retire()
                elif self.trouble() is not None or cancel.is_set():
                    self.interrupt()
        except StoreSaveError:
            self.interrupt()
            self.wait(30.0)
            raise
        trouble = self.trouble()
        if trouble is not None and not self.regions.complete():
            raise trouble

    def retire(self) -> None:
        """Every byte is written: idle connections end, and busy ones hang up."""
        self._linger.set()
        for lease in self.regions.abandon_all():
            log.debug("hanging up a straggler at %d", lease.position)
        with self._lock:
            guards = list(self._guards.values())
        for guard in guards:
            guard.interrupt()

    # -- the connections -------------------------------------------------------------------

    def _spawn(self, slots: int, lease: Lease | None, opened: _Opened | None) -> None:
        with self._lock:
            self._workers += 1
        self._pool.submit(self._worker, slots, lease, opened)

    def _fail(self, trouble: DownloadError | RestartError) -> None:
        with self._lock:
            if self._trouble is None:
                self._trouble = trouble
        self.interrupt()

    def _worker(self, slots: int, lease: Lease | None, opened: _Opened | None) -> None:
        failures, speed, leaving = 0, 0.0, False
        try:
            while not self._cancel.is_set():
                if lease is None:
                    if self._should_leave():
                        leaving = True
                        return
                    claimed = self.regions.claim(speed)
                    if claimed is None:
                        if not self.regions.owed_elsewhere():
                            return  # nothing left that another connection could take
                        self._linger.wait(0.25)  # one may yet turn out slow enough to take
                        continue
                    lease, robbed = claimed
                    if robbed is not None:
                        self._hang_up(robbed)
                before = lease.position
                try:
                    self._fetch(lease, opened)
                    speed = max(speed, lease.rate.rate())
                    failures = 0
                except TransientError as error:
                    if self._cancel.is_set() or lease.abandoned:
                        failures = 0
                    elif lease.last is None or self._record().resumable is False:
                        self._fail(RestartError(str(error), failure=True))
                        return
                    else:
                        failures = 1 if lease.position > before else failures + 1
                        if failures > self._backoff.max_failures:
                            self._fail(error)
                            return
                        delay = self._backoff.delay(
                            failures,
                            error.retry_after if isinstance(error, RetryAfterError) else None,
                        )
                        log.info(
                            "download %s: %s; retry in %.1f s", self._record().id, error, delay
                        )
                        self.regions.release(lease)
                        lease, opened = None, None
                        if self._cancel.wait(delay):
                            return
                        continue
                except (DownloadError, RestartError) as trouble:
                    if not (self._cancel.is_set() or lease.abandoned):
                        self._fail(trouble)
                    return
                self.regions.release(lease)
                lease, opened = None, None
        except Exception as error:  # a bug must end the download, not the pool thread
            if not self._cancel.is_set():
                log.exception("download %s: unexpected error", self._record().id)
                self._fail(DownloadError(f"internal error: {type(error).__name__}: {error}"))
        finally:
            if lease is not None:
                self.regions.release(lease)
            self._host_slots.give_back(self._host, slots)
            with self._idle:
                self._workers -= 1
                self._leaving -= 1 if leaving else 0
                self._idle.notify_all()

    def _hang_up(self, lease: Lease) -> None:
        """``lease``'s rest went to a faster connection: its worker sees the error as benign."""
        log.info("download %s: a slow connection's rest goes to a faster one", self._record().id)
        with self._lock:
            guard = self._guards.get(lease)
        if guard is not None:
            guard.interrupt()

    def _fetch(self, lease: Lease, opened: _Opened | None) -> None:
        response, guard, skip, body_last = opened or (None, self._http.guard(), 0, None)
        with self._lock:
            self._guards[lease] = guard
        try:
            if self._cancel.is_set():
                guard.interrupt()  # a stop that came before the guard was known
            # A response may end before the lease does (the probe's first range): the
            # same connection then asks for the rest, which is no failure.
            while self._fetch_with(lease, guard, response, skip, body_last):
                response, skip, body_last = None, 0, None
        finally:
            with self._lock:
                self._guards.pop(lease, None)

    def _fetch_with(
        self,
        lease: Lease,
        guard: Guard,
        response: httpx.Response | None,
        skip: int,
        body_last: int | None,
    ) -> bool:
        """Fetch into ``lease`` from one response; True when the lease owes more bytes
        after the response ended where it said it would."""
        record = self._record()
        if response is None:
            first, last = lease.position, lease.last
            if last is not None and first > last:
                return False
            with self._forms.lock:
                closed, if_range = self._forms.closed_ranges, self._forms.if_range
            validator = record.validators.if_range() if if_range else None
            response = self._http.open(
                guard,
                record.final_url or record.url,
                given_for=record.url,
                headers=record.headers,
                login=record.login,
                proxy=record.proxy,
                cookies=record.cookies,
                first=first,
                last=last if closed else None,
                if_range=validator,
            )
            try:
                answer = read_answer(
                    response, first, last if closed else None, known_size=record.size
                )
                adopted = judge(record, answer, self._forms)
                if adopted is not None:
                    self._adopt_validators(adopted)
                skip = self._skip_for(answer, lease, closed=closed)
                body_last = answer.last
            except BaseException:
                response.close()
                raise
        try:
            return self._consume(lease, guard, response, skip, body_last)
        finally:
            response.close()

    def _skip_for(self, answer: Answer, lease: Lease, *, closed: bool) -> int:
        """Bytes of ``answer``'s body to pass over before ``lease``'s first byte."""
        if answer.partial:
            return 0
        with self._forms.lock:
            forms = self._forms
            if closed:
                forms.strays += 1
                if forms.strays >= 2 and forms.closed_ranges:
                    log.info(
                        "download %s: closed ranges get whole files; asking open-ended",
                        self._record().id,
                    )
                    forms.closed_ranges = False
            else:
                forms.open_strays += 1
                if forms.open_strays >= 3:
                    forms.ranges_broken = True
                    raise RestartError("the server stopped honouring byte ranges")
        if lease.position <= READ_ON:
            return lease.position
        raise TransientError("the server sent the whole file for a range; asking again")

    def _consume(
        self,
        lease: Lease,
        guard: Guard,
        response: httpx.Response,
        skip: int,
        body_last: int | None,
    ) -> bool:
        part, buckets = self._part, self._buckets
        head = b""
        sniffing = self._sniff and lease.position == 0 and skip == 0
        drained = False
        for chunk in self._http.chunks(guard, response):
            if self._cancel.is_set() or lease.abandoned:
                return False
            if skip:
                passed = min(skip, len(chunk))
                chunk, skip = chunk[passed:], skip - passed
                if not chunk:
                    continue
            if sniffing:
                head += chunk
                if len(head) < SNIFF:
                    continue
                self._check_not_a_page(response, head)
                chunk, head, sniffing = head, b"", False
            if drained:
                return False  # more than the answer said it held: no reuse for it
            if not self._write(lease, chunk, buckets, part):
                return False
            if lease.finished:
                if body_last is None or lease.position <= body_last:
                    return False  # its region is complete (or went to a faster connection)
                # The answer's body ends here too: let its stream see the end, so the
                # connection goes back to the pool for the next request or download.
                drained = True
        if sniffing and head:
            self._check_not_a_page(response, head)
            if not self._write(lease, head, buckets, part):
                return False
        if self._cancel.is_set() or lease.abandoned:
            return False
        if lease.last is None:
            self.regions.ended_at(lease.position)  # a clean end of an unknown-size body
        elif lease.position <= lease.last:
            if body_last is not None and lease.position > body_last:
                return True  # this answer is complete; the lease goes on
            raise TransientError(f"the server ended the answer at byte {lease.position}")
        return False

    def _write(
        self, lease: Lease, chunk: bytes | memoryview, buckets: Sequence[TokenBucket], part: Part
    ) -> bool:
        if len(chunk) > RATE_SLICE and any(b.rate is not None for b in buckets):
            # Under a speed limit, a large read waits and shows its progress in slices,
            # as a smooth rate does, not in one jump a long wait later.
            view = memoryview(chunk)
            return all(
                self._write(lease, view[start : start + RATE_SLICE], buckets, part)
                for start in range(0, len(chunk), RATE_SLICE)
            )
        if buckets and not acquire(buckets, len(chunk), self._cancel):
            return False
        offset, allowed = self.regions.reserve(lease, len(chunk))
        if allowed:
            part.write(offset, chunk if allowed == len(chunk) else chunk[:allowed])
            self.regions.commit(lease, offset, allowed)
            self._rate.add(allowed)
            if self._total_rate is not None:
                self._total_rate.add(allowed)
        return True

    def _check_not_a_page(self, response: httpx.Response, head: bytes) -> None:
        if is_page_type(response.headers.get("content-type")) or looks_like_a_page(head):
            raise RemoteChangedError(EXPIRED)
