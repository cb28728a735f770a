"""A fake monotonic clock for code that takes ``clock=`` (and ``sleep=``): time moves
only when the test moves it, so rates, windows and deadlines come out exact."""

from __future__ import annotations

__all__ = ["FakeClock"]


class FakeClock:
    """Call it for the time; ``advance`` (or set ``now``) to move it; hand ``sleep`` to
    code that would wait: it returns at once, the time moved on by what it slept."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        assert seconds >= 0, "a monotonic clock never goes back"
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)
