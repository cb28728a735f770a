"""Typed events the engine sends to its listeners, from worker threads.

Four events: a download added, changed (any part of its record: its state too), removed,
and the engine's process lost. A listener is any callable taking one ``DownloadEvent``; it
must return quickly and never block (the UI's bridge re-emits each event as a queued Qt
signal). Progress is not an event: consumers poll ``DownloadManager.snapshot()``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from gui_app.engine.api.models import DownloadId, DownloadState
from gui_app.engine.api.record import DownloadRecord

log = logging.getLogger(__name__)

__all__ = [
    "DownloadAdded",
    "DownloadChanged",
    "DownloadEvent",
    "DownloadRemoved",
    "EngineLost",
    "Listener",
    "Listeners",
    "settles",
]


@dataclass(frozen=True, slots=True)
class DownloadAdded:
    record: DownloadRecord


@dataclass(frozen=True, slots=True)
class DownloadChanged:
    """Any change of a download's record: its state (``record.state``, with ``error``
    saying why it stopped), what the server taught, its request, its place in the queue.
    A listener that cares about a transition compares with the record it had."""

    record: DownloadRecord


@dataclass(frozen=True, slots=True)
class DownloadRemoved:
    id: DownloadId


@dataclass(frozen=True, slots=True)
class EngineLost:
    """The engine's process ended without being asked (the app's remote engine only)."""

    reason: str


DownloadEvent = DownloadAdded | DownloadChanged | DownloadRemoved | EngineLost

_SETTLED = frozenset({DownloadState.PAUSED, DownloadState.COMPLETED, DownloadState.FAILED})


def settles(event: DownloadEvent) -> bool:
    """May this event end someone's wait for a download (removed, or stopped: paused,
    completed or failed)?"""
    if isinstance(event, DownloadRemoved):
        return True
    return isinstance(event, DownloadChanged) and event.record.state in _SETTLED


Listener = Callable[[DownloadEvent], None]


class Listeners:
    """Who listens, for the manager and the remote engine: subscribe, unsubscribe, and
    emit to each (a failing listener is logged and the others still hear). Thread-safe."""

    def __init__(self, settled: threading.Condition | None = None) -> None:
        self._settled = settled  # notified when an event that ``settles`` is queued
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []
        self._pending: deque[DownloadEvent] = deque()
        self._delivering = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def queue(self, event: DownloadEvent) -> None:
        """Queue ``event`` for ``deliver``; a caller queues it in the same locked step as
        the change it announces, so events keep the order in which states changed."""
        with self._lock:
            self._pending.append(event)
        # Only a change that may settle a download wakes a wait: a list of 1,000 small
        # files sends some 5,000 events, and each wake of a waiting thread a GIL hand-off.
        if self._settled is not None and settles(event):
            with self._settled:  # held already by most callers (the manager's RLock)
                self._settled.notify_all()

    def deliver(self) -> None:
        """Emit every queued event, in order, whichever thread queued it."""
        with self._delivering:
            while True:
                with self._lock:
                    if not self._pending:
                        return
                    event = self._pending.popleft()
                self.emit(event)

    def emit(self, event: DownloadEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("a download listener failed")
