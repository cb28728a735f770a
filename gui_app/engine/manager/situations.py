"""Where each download stands with this manager, as one value: its task running, its task
letting go of the file after reporting its end, or held (stored, but not this process's to
start). A download in none of these is only its record: queued, stopped or completed. The
manager's lock guards the table; nothing here takes a lock of its own."""

from __future__ import annotations

import enum

from gui_app.engine.api.models import DownloadId
from gui_app.engine.download.lifecycle import Phase
from gui_app.engine.download.task import DownloadTask

__all__ = ["Situation", "Situations"]


class Situation(enum.Enum):
    RUNNING = "running"  # its task runs and has not reported its end
    LEAVING = "leaving"  # its task reported its end and is letting go of the file
    HELD = "held"  # stored, but another process's to run until resumed here


class Situations:
    """Each download's ``Situation`` and its task, in one table (the manager's lock held):
    "is it running", "may it start", "which task to stop" are each one lookup."""

    def __init__(self) -> None:
        self._table: dict[DownloadId, tuple[Situation, DownloadTask | None]] = {}

    def of(self, download_id: DownloadId) -> Situation | None:
        entry = self._table.get(download_id)
        return None if entry is None else entry[0]

    def task(self, download_id: DownloadId) -> DownloadTask | None:
        """Its task, running or leaving."""
        entry = self._table.get(download_id)
        return None if entry is None else entry[1]

    def running(self, download_id: DownloadId) -> DownloadTask | None:
        entry = self._table.get(download_id)
        return entry[1] if entry is not None and entry[0] is Situation.RUNNING else None

    def running_tasks(self) -> dict[DownloadId, DownloadTask]:
        return {i: t for i, (s, t) in self._table.items() if s is Situation.RUNNING and t}

    def tasks(self) -> list[DownloadTask]:
        """Every task, running or leaving."""
        return [task for _, task in self._table.values() if task is not None]

    def holding_slots(self) -> int:
        """Running tasks that hold one of the ``max_concurrent`` slots: one whose bytes
        are all written, only checking and naming its file (and waiting for the disk sync
        that makes that durable), lets the next download start meanwhile. So downloads
        that end close together sync the disk together (``group_commit``)."""
        running = (t for s, t in self._table.values() if s is Situation.RUNNING and t)
        return sum(1 for task in running if task.phase is not Phase.FINISHING)

    def kept(self, download_id: DownloadId) -> bool:
        """Must a queued download wait (its task runs or leaves, or it is held)?"""
        return download_id in self._table

    def run(self, download_id: DownloadId, task: DownloadTask) -> None:
        self._table[download_id] = (Situation.RUNNING, task)

    def leave(self, download_id: DownloadId) -> None:
        """Its task reported its end: stopped from here, but not to start again before
        the task has returned."""
        entry = self._table.get(download_id)
        if entry is not None and entry[0] is Situation.RUNNING:
            self._table[download_id] = (Situation.LEAVING, entry[1])

    def ended(self, download_id: DownloadId, task: DownloadTask) -> Situation | None:
        """``task`` returned: its entry goes. Returns where it stood (None: not there)."""
        entry = self._table.get(download_id)
        if entry is None or entry[1] is not task:
            return None
        del self._table[download_id]
        return entry[0]

    def hold(self, download_id: DownloadId) -> None:
        self._table.setdefault(download_id, (Situation.HELD, None))

    def release(self, download_id: DownloadId) -> None:
        """No longer held (resumed here); a running or leaving task stays."""
        if self.of(download_id) is Situation.HELD:
            del self._table[download_id]
