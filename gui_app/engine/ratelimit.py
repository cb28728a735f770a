"""Token buckets for the global and per-download speed limits, changeable at run time.

A worker asks every bucket that applies to it (``acquire``) before it reads the next
chunk; waiting happens on the worker's cancel event, so a pause is never delayed by a
limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

__all__ = ["TokenBucket", "acquire"]


class TokenBucket:
    """``rate`` bytes per second with a burst of ``burst`` seconds' worth; None = unlimited."""

    def __init__(
        self,
        rate: int | None,
        *,
        burst: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._burst = burst
        self._lock = threading.Lock()
        self._rate = rate
        self._tokens = 0.0
        self._stamp = clock()

    @property
    def rate(self) -> int | None:
        return self._rate

    def set_rate(self, rate: int | None) -> None:
        if rate is not None and rate < 1:
            raise ValueError("a rate limit must be at least 1 byte/s")
        with self._lock:
            self._refill()
            self._rate = rate
            if rate is not None:
                self._tokens = min(self._tokens, rate * self._burst)

    def _refill(self) -> None:
        now = self._clock()
        if self._rate is not None:
            cap = self._rate * self._burst
            self._tokens = min(cap, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    def reserve(self, count: int) -> float:
        """Take ``count`` bytes' worth (going into debt if need be); seconds to wait."""
        with self._lock:
            if self._rate is None:
                return 0.0
            self._refill()
            self._tokens -= count
            return 0.0 if self._tokens >= 0 else -self._tokens / self._rate


def acquire(buckets: Sequence[TokenBucket], count: int, cancelled: threading.Event) -> bool:
    """Wait until every bucket allows ``count`` bytes; False if ``cancelled`` was set."""
    delay = max((bucket.reserve(count) for bucket in buckets), default=0.0)
    if delay <= 0:
        return not cancelled.is_set()
    return not cancelled.wait(delay)
