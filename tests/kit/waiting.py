"""The one way the tests wait for something to happen: ``wait_until`` polls a condition
until it holds and fails naming what it waited for, instead of a fixed sleep that is
either too short on a busy machine or wasted time on an idle one. (Tests that need Qt's
event loop turning while they wait use ``qtbot.waitUntil`` instead.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["wait_until"]

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T | None],
    timeout: float,
    *,
    what: str | Callable[[], str],
    interval: float = 0.05,
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """Poll ``condition`` every ``interval`` s until it returns something truthy, and
    return that; after ``timeout`` s fail with ``what`` in the message (a callable is
    asked then, to tell how things stand at that moment). An exception in ``ignoring``
    counts as "not yet" (a file not written yet, a port not listening)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            value = condition()
        except ignoring as error:
            last = error
        else:
            if value:
                return value
            last = value
        if time.monotonic() >= deadline:
            waited_for = what if isinstance(what, str) else what()
            raise AssertionError(f"not within {timeout} s: {waited_for} (last: {last!r:.300})")
        time.sleep(interval)
