"""Rolling transfer speed and ETA, from byte counts sampled with an injectable clock."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["RollingRate", "eta"]


class RollingRate:
    """Bytes per second over the last ``window`` seconds. Thread-safe."""

    def __init__(self, window: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()
        self._sum = 0
        self._lock = threading.Lock()
        self._start = clock()

    def add(self, count: int) -> None:
        now = self._clock()
        with self._lock:
            self._samples.append((now, count))
            self._sum += count
            self._trim(now)

    def _trim(self, now: float) -> None:
        while self._samples and self._samples[0][0] <= now - self._window:
            self._sum -= self._samples.popleft()[1]

    def rate(self) -> float:
        now = self._clock()
        with self._lock:
            self._trim(now)
            span = min(self._window, now - self._start)
            return self._sum / span if span > 0 else 0.0

    def reset(self) -> None:
        with self._lock:
            self._samples.clear()
            self._sum = 0
            self._start = self._clock()


def eta(remaining: int | None, rate: float) -> float | None:
    """Seconds left, or None when the size or the speed is unknown."""
    if remaining is None or rate <= 0:
        return None
    return remaining / rate
