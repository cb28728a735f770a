"""Token buckets for the global and per-download speed limits, changeable at run time.

A worker asks every bucket that applies to it (``acquire``) before it reads the next
chunk; waiting happens on the worker's cancel event, so a pause is never delayed by a
limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

__all__ = ["HostSlots", "TokenBucket", "acquire"]


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


class HostSlots:
    """Connections per host across all downloads, capped so one site is not flooded."""

    def __init__(self, cap: int) -> None:
        if cap < 1:
            raise ValueError("the per-host cap must be at least 1")
        self._cap = cap
        self._lock = threading.Lock()
        self._used: dict[str, int] = {}

    def take(self, host: str, wanted: int, *, at_least_one: bool = False) -> int:
        """Take up to ``wanted`` slots; with ``at_least_one``, one even over the cap."""
        with self._lock:
            used = self._used.get(host, 0)
            granted = max(0, min(wanted, self._cap - used))
            if at_least_one and wanted and not granted:
                granted = 1
            self._used[host] = used + granted
            return granted

    def give_back(self, host: str, count: int = 1) -> None:
        with self._lock:
            left = self._used.get(host, 0) - count
            if left > 0:
                self._used[host] = left
            else:
                self._used.pop(host, None)

    def used(self, host: str) -> int:
        with self._lock:
            return self._used.get(host, 0)
