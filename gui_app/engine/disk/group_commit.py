"""Group commit: one costly flush (a disk sync) for the items several threads bring at
once, each caller returning only when a flush that holds its item has ended.

Many small downloads finish close together, and each must make its record and its new
name durable before it may say so: one ``fsync`` for all that are waiting then, instead
of one each. Nobody waits on purpose for others to arrive: whoever comes while a flush is
under way is in the next one, so a lone caller pays exactly what it paid before, and the
slower the disk, the larger the groups.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

T = TypeVar("T")


class _Ticket(Generic[T]):
    __slots__ = ("done", "error", "item")

    def __init__(self, item: T) -> None:
        self.item = item
        self.done = False
        self.error: BaseException | None = None


class GroupCommit(Generic[T]):
    """``submit(item)`` from any thread: returns once ``flush`` has run over a group that
    holds ``item``, or raises what that run raised."""

    def __init__(self, flush: Callable[[Sequence[T]], None]) -> None:
        self._flush = flush
        self._lock = threading.Lock()  # guards the waiting list
        self._turn = threading.Lock()  # one flush at a time
        self._waiting: list[_Ticket[T]] = []

    def submit(self, item: T) -> None:
        ticket = _Ticket(item)
        with self._lock:
            self._waiting.append(ticket)
        with self._turn:
            if not ticket.done:  # no flush took it while this thread waited its turn
                with self._lock:
                    group, self._waiting = self._waiting, []
                try:
                    self._flush([t.item for t in group])
                except BaseException as raised:  # each caller of the group hears it
                    for each in group:
                        each.error, each.done = raised, True
                    raise
                for each in group:
                    each.done = True
        if ticket.error is not None:
            raise ticket.error
