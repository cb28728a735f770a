"""Downloads a full disk paused, resumed once there is room again: a thread that looks at
their folders' free space every ``interval`` seconds, and ends at once when stopped (the
manager's shutdown never waits out an interval)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from gui_app.engine.api.models import DownloadId
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.disk.partfile import space_needed

__all__ = ["DiskWatch"]

log = logging.getLogger(__name__)


class DiskWatch:
    """``waiting()`` lists the downloads paused for room (asked with ``lock`` held, the
    manager's); each whose folder has the room its rest needs is ``resume``d."""

    def __init__(
        self,
        waiting: Callable[[], list[DownloadRecord]],
        resume: Callable[[DownloadId], None],
        *,
        lock: threading.RLock | None = None,
        free_space: Callable[[Path], int],
        interval: float,
    ) -> None:
        self._waiting, self._resume = waiting, resume
        self._lock = lock or threading.RLock()
        self._free_space, self._interval = free_space, interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="rangeload-disk", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def look(self) -> list[DownloadId]:
        """One look: the downloads resumed."""
        resumed = []
        with self._lock:
            waiting = self._waiting()
        for record in waiting:
            try:
                needed = space_needed(record.part_path, record.size, record.done_bytes)
                free = self._free_space(record.dest_dir)
            except OSError:
                continue  # its folder is gone or unreadable: looked at again next time
            if free >= needed:
                log.info("space is free again; resuming download %s", record.id)
                self._resume(record.id)
                resumed.append(record.id)
        return resumed

    def _watch(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self.look()
            except Exception:  # a bug must not end the watch for good
                log.exception("the disk watch failed; looking again later")
