"""Token buckets: exact arithmetic with a fake clock, and one real-time check."""

from __future__ import annotations

import threading
import time

from gui_app.engine.download.ratelimit import TokenBucket, acquire
from tests.kit.clock import FakeClock


def test_unlimited_never_waits() -> None:
    assert TokenBucket(None).reserve(10**9) == 0.0


def test_debt_is_paid_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1000, burst=0.0, clock=clock)
    assert bucket.reserve(500) == 0.5
    clock.now = 0.5
    assert bucket.reserve(1000) == 1.0
    clock.now = 10.0  # idle time refills only up to the burst
    assert bucket.reserve(1000) == 1.0


def test_set_rate_applies_at_once() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1000, burst=0.0, clock=clock)
    bucket.set_rate(None)
    assert bucket.reserve(10**6) == 0.0
    bucket.set_rate(2000)
    assert bucket.reserve(1000) == 0.5


def test_a_cancelled_wait_returns_quickly() -> None:
    bucket = TokenBucket(10)
    cancelled = threading.Event()
    threading.Timer(0.05, cancelled.set).start()
    start = time.monotonic()
    assert acquire([bucket], 1000, cancelled) is False
    assert time.monotonic() - start < 0.2


def test_real_time_rate_across_threads() -> None:
    bucket = TokenBucket(1 << 20, burst=0.05)
    cancelled = threading.Event()
    moved = [0, 0, 0]

    def worker(index: int) -> None:
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            if acquire([bucket], 16384, cancelled):
                moved[index] += 16384

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 0.9 * (1 << 20) <= sum(moved) <= 1.15 * (1 << 20)
