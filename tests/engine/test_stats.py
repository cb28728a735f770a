"""Rolling speed and ETA with a fake clock: exact figures, the window, and unknowns."""

from __future__ import annotations

from gui_app.engine.download.stats import RollingRate, eta
from tests.kit.clock import FakeClock


def test_rate_over_the_elapsed_time_then_the_window() -> None:
    clock = FakeClock(100.0)
    rate = RollingRate(window=5.0, clock=clock)
    assert rate.rate() == 0.0  # no time has passed: no speed, not a division by zero
    clock.advance(1.0)
    rate.add(1000)
    assert rate.rate() == 1000.0  # 1000 bytes in the first second
    for _ in range(9):
        clock.advance(1.0)
        rate.add(2000)
    assert rate.rate() == 2000.0  # only the last 5 s count
    clock.advance(10.0)
    assert rate.rate() == 0.0  # a stalled download shows no speed


def test_reset_forgets_everything() -> None:
    clock = FakeClock(100.0)
    rate = RollingRate(window=5.0, clock=clock)
    clock.advance(1.0)
    rate.add(5000)
    rate.reset()
    clock.advance(1.0)
    assert rate.rate() == 0.0


def test_eta() -> None:
    assert eta(1000, 250.0) == 4.0
    assert eta(None, 250.0) is None  # unknown size
    assert eta(1000, 0.0) is None  # no speed yet
    assert eta(0, 10.0) == 0.0
