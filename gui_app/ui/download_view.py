"""The downloads table view: rows selected whole, the segment-map delegate, and a paint
that keeps the GIL.

Painting a row calls back into Python for each cell (the model's ``multiData``, the
progress delegate). Qt calls a Python override with the GIL taken for that call only, so
between two cells the engine's connection threads grab it and the next cell waits for it
again; with dozens of connections that turned one repaint into 100 ms or more. Entering
the paint through a Python override holds the GIL across the whole paint (a few ms).
"""

from __future__ import annotations

from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from gui_app.ui.download_model import Column, DownloadModel
from gui_app.ui.progress_delegate import ProgressDelegate

__all__ = ["DownloadView"]


class DownloadView(QTableView):
    def __init__(self, model: DownloadModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName("Downloads")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(self))
        self.verticalHeader().hide()
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)  # arrows move between rows; Tab leaves the table
        header = self.horizontalHeader()
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Column.PROGRESS, 220)
        header.resizeSection(Column.STATUS, 200)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802  # Qt's name
        super().paintEvent(event)  # with the GIL held throughout: see the module's docstring
