"""The values of a download's lifecycle: its phases, why it stops, what it reports, and
how it is configured. Shared by the task (which moves through them) and the manager
(which turns reports into events)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gui_app.engine.models import DownloadRecord
from gui_app.engine.partfile import free_bytes
from gui_app.engine.regions import MIN_SPLIT
from gui_app.engine.retry import Backoff

__all__ = [
    "BUSY",
    "MAX_RESTARTS",
    "Phase",
    "ReportKind",
    "StopReason",
    "TaskConfig",
    "TaskReport",
]

MAX_RESTARTS = 2
BUSY = "another Rangeload process is downloading this right now; nothing was changed"


class Phase(enum.Enum):
    CREATED = "created"
    PREPARING = "preparing"  # the lock, the fresh record, the part file
    PROBING = "probing"
    TRANSFERRING = "transferring"
    FINISHING = "finishing"  # coverage, checksum, rename
    ENDED = "ended"


class StopReason(enum.Enum):
    PAUSE = "pause"  # the user (or Ctrl-C): end PAUSED
    SHUTDOWN = "shutdown"  # the app quits: end QUEUED, so it resumes on the next start


class ReportKind(enum.Enum):
    STARTED = "started"
    UPDATED = "updated"
    PAUSED = "paused"
    STOPPED = "stopped"  # by a shutdown: queued for the next start
    COMPLETED = "completed"
    FAILED = "failed"
    BUSY = "busy"  # another process runs it; nothing was touched


@dataclass(frozen=True, slots=True)
class TaskConfig:
    connections: int = 8
    save_interval: float = 2.0
    min_split: int = MIN_SPLIT
    backoff: Backoff = field(default_factory=Backoff)
    free_space: Callable[[Path], int] = free_bytes
    # The file on the server changed under kept bytes: False starts over (a command line
    # asked for the file as it is now); True stops with Problem.CHANGED for the user to
    # choose (the app: restart, or the old file's new address).
    ask_before_restart: bool = False


@dataclass(frozen=True, slots=True)
class TaskReport:
    """Sent to the manager on each transition."""

    record: DownloadRecord
    kind: ReportKind
