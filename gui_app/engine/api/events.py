"""Typed events the engine sends to its listeners, from worker threads.

A listener is any callable taking one ``DownloadEvent``; it must return quickly and never
block (the UI's bridge re-emits each event as a queued Qt signal). Progress is not an
event: consumers poll ``DownloadManager.snapshot()``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from gui_app.engine.api.models import DownloadId
from gui_app.engine.api.record import DownloadRecord

log = logging.getLogger(__name__)

__all__ = [
    "DownloadAdded",
    "DownloadCompleted",
    "DownloadEvent",
    "DownloadFailed",
    "DownloadPaused",
    "DownloadRemoved",
    "DownloadStarted",
    "DownloadUpdated",
    "EngineLost",
    "Listener",
    "Listeners",
]


@dataclass(frozen=True, slots=True)
class DownloadAdded:
    record: DownloadRecord


@dataclass(frozen=True, slots=True)
class DownloadStarted:
    record: DownloadRecord


@dataclass(frozen=True, slots=True)
class DownloadUpdated:
    """Metadata changed (name, size, resumability learned from the probe; a retry)."""

    record: DownloadRecord


@dataclass(frozen=True, slots=True)
class DownloadPaused:
    record: DownloadRecord  # record.error says why when it was not the user (e.g. disk full)


@dataclass(frozen=True, slots=True)
class DownloadCompleted:
    record: DownloadRecord


@dataclass(frozen=True, slots=True)
class DownloadFailed:
    record: DownloadRecord  # record.error holds the one-line reason


@dataclass(frozen=True, slots=True)
class DownloadRemoved:
    id: DownloadId


@dataclass(frozen=True, slots=True)
class EngineLost:
    """The engine's process ended without being asked (the app's remote engine only)."""

    reason: str


DownloadEvent = (
    DownloadAdded
    | DownloadStarted
    | DownloadUpdated
    | DownloadPaused
    | DownloadCompleted
    | DownloadFailed
    | DownloadRemoved
    | EngineLost
)

Listener = Callable[[DownloadEvent], None]


class Listeners:
    """Who listens, for the manager and the remote engine: subscribe, unsubscribe, and
    emit to each (a failing listener is logged and the others still hear). Thread-safe."""

    def __init__(self) -> None:
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
