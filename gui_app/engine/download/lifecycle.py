"""The values of a download's lifecycle: its phases, why it stops, what it reports, and
how it is configured. Shared by the task (which moves through them) and the manager
(which turns reports into events)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gui_app.engine.api.folder_rule import CategoryFolders
from gui_app.engine.api.models import PauseReason, Problem
from gui_app.engine.api.options import MIN_SPLIT
from gui_app.engine.api.record import Progress, Remote, Request
from gui_app.engine.api.retry import Backoff
from gui_app.engine.disk.partfile import free_bytes

__all__ = [
    "BUSY",
    "Phase",
    "ReportKind",
    "StopReason",
    "TaskConfig",
    "TaskReport",
]

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
    """What a task tells its manager, which makes it the download's state."""

    STARTED = "started"
    UPDATED = "updated"  # running: what the server taught, a retry
    VERIFYING = "verifying"  # all bytes written: checksum and final name under way
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
    # The folder rule a download's ``sort_into`` names (the store's), or None.
    folder_rule: Callable[[int], CategoryFolders | None] = lambda _number: None


@dataclass(frozen=True, slots=True)
class TaskReport:
    """Sent to the manager on each transition: the task's own parts of the record as it
    stored them, and what the manager's part (the status) is to say."""

    kind: ReportKind
    remote: Remote
    progress: Progress
    note: str | None = None  # why it stopped, or how the run goes ("retrying")
    pause_reason: PauseReason | None = None
    problem: Problem | None = None
    request: Request | None = None  # at STARTED: the request as stored when it began
    durable: bool = True  # False: a state on the way, which a power cut may undo
