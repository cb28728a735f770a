"""Exponential backoff with jitter, honouring a server's Retry-After above a floor."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(frozen=True, slots=True)
class Backoff:
    base: float = 0.5
    cap: float = 30.0
    max_failures: int = 8  # consecutive failures without progress before giving up

    def delay(
        self,
        failures: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait before attempt number ``failures + 1``: the server's Retry-After
        when it asks for longer than half our own backoff (a ``Retry-After: 0`` must not
        turn retries into a burst)."""
        ceiling = min(self.cap, self.base * 2.0 ** max(0, failures - 1))
        floor = ceiling / 2
        if retry_after is not None:
            return max(retry_after, floor)
        return floor + rand() * ceiling / 2
