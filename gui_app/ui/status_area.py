"""The window's status bar: one line of speed and counts (and the schedule, when set),
the total speed graph, and the address of a shared folder. A 500 ms timer refreshes it,
feeds the speed history the graphs draw, and says so (``refreshed``) for the rest of the
window to follow (the sidebar's counts, the details pane's graph)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from gui_app.engine import DownloadId, DownloadState
from gui_app.ground.units import format_rate
from gui_app.ui.download_model import DownloadModel
from gui_app.ui.speed_graph import TOTAL, SpeedGraph, SpeedHistory

__all__ = ["StatusArea"]

REFRESH_MS = 500


class StatusArea(QObject):
    refreshed = Signal()

    def __init__(
        self,
        bar: QStatusBar,
        model: DownloadModel,
        speeds: SpeedHistory,
        schedule_text: Callable[[], str | None],
        watched: Callable[[], Iterable[DownloadId]],
    ) -> None:
        """``schedule_text``: when the queue next starts or stops, if scheduled;
        ``watched``: downloads whose speed history to keep although they do not run
        (the selected ones, whose graph is shown)."""
        super().__init__(bar)
        self._model = model
        self._speeds = speeds
        self._schedule_text = schedule_text
        self._watched = watched
        self.status = QLabel()
        self.sharing_label = QLabel()
        self.sharing_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sharing_label.hide()
        bar.addPermanentWidget(self.sharing_label)
        bar.addPermanentWidget(self.status)
        self.total_graph = SpeedGraph(lambda: speeds.series(TOTAL), time.monotonic, bar)
        self.total_graph.setAccessibleName("Total speed over the last minutes")
        self.total_graph.setFixedSize(180, 22)
        bar.addPermanentWidget(self.total_graph)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def show_sharing(self, address: str | None) -> None:
        """The shared folder's address, or None once sharing stopped."""
        self.sharing_label.setText(f"Sharing at {address}/" if address else "")
        self.sharing_label.setVisible(address is not None)

    def refresh(self) -> None:
        summary = self._model.summary()
        counts = summary.counts
        schedule = self._schedule_text()
        self.status.setText(
            f"{format_rate(summary.speed)}  ·  {summary.active} active  ·  "
            f"{counts[DownloadState.QUEUED]} queued  ·  {counts[DownloadState.COMPLETED]} done"
            f"  ·  {counts[DownloadState.FAILED]} failed" + (f"  ·  {schedule}" if schedule else "")
        )
        now = time.monotonic()
        running = {s.id for s in self._model.snapshots() if s.state is DownloadState.RUNNING}
        for download_id in running:
            row = self._model.row_of(download_id)
            if row is not None:
                self._speeds.add(download_id, now, self._model.snapshot_at(row).speed)
        self._speeds.add(TOTAL, now, summary.speed)
        self._speeds.forget(running | set(self._watched()))
        self.total_graph.update()
        self.refreshed.emit()
