"""The queue's order at work: queued downloads on a heap by their ``queue_order``, rebuilt
by ``rescan`` and taken from by ``take``. A list of 1,000 small files ends a download 1,000
times; each end takes the next off the heap in O(log n), not from a walk over them all."""

from __future__ import annotations

import heapq
from collections.abc import Callable

from gui_app.engine.api.models import DownloadId, DownloadState
from gui_app.engine.manager.record_table import RecordTable

__all__ = ["ReadyQueue"]


class ReadyQueue:
    """Queued downloads not kept from starting, by the queue's order (the manager's lock
    held for every call)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, DownloadId]] = []

    def rescan(self, records: RecordTable, kept: Callable[[DownloadId], bool]) -> None:
        """Rebuild the heap: queued downloads that ``kept`` does not hold back."""
        queued = DownloadState.QUEUED
        self._heap = [
            (r.queue_order, i) for i, r in records.items() if r.state is queued and not kept(i)
        ]
        heapq.heapify(self._heap)

    def take(
        self, count: int, records: RecordTable, kept: Callable[[DownloadId], bool]
    ) -> list[DownloadId]:
        """Up to ``count`` downloads to start, in the queue's order. An entry that changed
        since the last rescan (paused, removed, moved, started) is dropped: whatever made
        it ready again asks for a rescan."""
        chosen: list[DownloadId] = []
        while self._heap and len(chosen) < count:
            order, download_id = heapq.heappop(self._heap)
            record = records.get(download_id)
            if record is None or record.state is not DownloadState.QUEUED:
                continue
            if record.queue_order == order and not kept(download_id):
                chosen.append(download_id)
        return chosen
