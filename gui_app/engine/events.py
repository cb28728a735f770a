"""Typed events the engine sends to its listeners, from worker threads.

A listener is any callable taking one ``DownloadEvent``; it must return quickly and never
block (the UI's bridge re-emits each event as a queued Qt signal). Progress is not an
event: consumers poll ``DownloadManager.snapshot()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gui_app.engine.models import DownloadId, DownloadRecord

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
