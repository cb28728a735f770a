"""The first request of each attempt, and what its answer must be before a byte of it
is used.

It asks a closed range of one minimum split from ``first`` (its body is read whole, so
its connection stays open for the next request; an open-ended one closed midway wastes
what the server had already sent), or open-ended for servers that need it, or no range
once the server stopped honouring them. The answer is checked (``read_answer``) and
judged against the version on disk; transient failures retry with backoff, and a stop
interrupts the request under way through its guard.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import httpx

from gui_app.engine.api.errors import (
    DownloadError,
    RetryAfterError,
    TransientError,
    UnreachableError,
)
from gui_app.engine.api.models import Validators
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.api.retry import Backoff
from gui_app.engine.download.transfer import READ_ON
from gui_app.engine.download.versions import Forms, RestartError, judge
from gui_app.engine.http import Answer, Guard, HttpClient, read_answer

__all__ = ["Probe"]

log = logging.getLogger(__name__)

QUICK_TRIES = 2  # failed connections a new download retries before it says why it stopped


class Probe:
    def __init__(
        self,
        http: HttpClient,
        forms: Forms,
        *,
        min_split: int,
        backoff: Backoff,
        cancel: threading.Event,
    ) -> None:
        self._http = http
        self._forms = forms
        self._min_split = min_split
        self._backoff = backoff
        self._cancel = cancel

    def send(
        self,
        record: DownloadRecord,
        first: int,
        *,
        resumed: bool,
        on_guard: Callable[[Guard], None],
        on_retry: Callable[[DownloadError, int, int, float], None],
    ) -> tuple[Guard, httpx.Response, Answer, Validators | None]:
        """The probe's guard, response and answer, and validators to adopt (or None)."""
        forms, failures = self._forms, 0
        while True:
            guard = self._http.guard()
            on_guard(guard)
            if self._cancel.is_set():
                raise TransientError("stopped")
            validator = record.validators.if_range() if resumed and forms.if_range else None
            ranged = not forms.ranges_broken
            first = first if ranged else 0
            last = first + self._min_split - 1 if ranged and forms.closed_ranges else None
            try:
                response = self._http.open(
                    guard,
                    record.final_url or record.url,
                    given_for=record.url,
                    headers=record.headers,
                    login=record.login,
                    proxy=record.proxy,
                    cookies=record.cookies,
                    first=first,
                    last=last,
                    if_range=validator,
                    ranged=ranged,
                )
                try:
                    answer = read_answer(
                        response, first, last, known_size=record.size if resumed else None
                    )
                    adopted = judge(record, answer, forms)
                    if resumed and not answer.partial and first > READ_ON:
                        self._stray()
                except BaseException:
                    response.close()
                    raise
                return guard, response, answer, adopted
            except TransientError as error:
                failures += 1
                if self._cancel.is_set() or failures > self._tries_for(error, resumed):
                    raise
                wait = error.retry_after if isinstance(error, RetryAfterError) else None
                delay = self._backoff.delay(failures, wait)
                log.info("download %s: %s; retrying in %.1f s", record.id, error, delay)
                on_retry(error, failures, self._tries_for(error, resumed), delay)
                if self._cancel.wait(delay):
                    raise TransientError("stopped") from None

    def _tries_for(self, error: TransientError, resumed: bool) -> int:
        """How many failures of this kind a probe retries: a new download that never got
        a connection fails fast (no such host at once; nothing listening after
        ``QUICK_TRIES``, a second or two in all), as curl and wget do; one with bytes kept
        keeps the backoff's patience, its link may come back."""
        if isinstance(error, UnreachableError) and not resumed:
            return 0 if not error.resolved else QUICK_TRIES
        return self._backoff.max_failures

    def _stray(self) -> None:
        """A whole-file answer of the same version, far from byte 0: ask again, and after a
        third one take it that the server stopped honouring ranges."""
        forms = self._forms
        forms.open_strays += 1
        if forms.open_strays >= 3:
            forms.ranges_broken = True
            raise RestartError("the server stopped honouring byte ranges")
        raise TransientError("the server sent the whole file for a range")
