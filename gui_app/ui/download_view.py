"""The downloads table view: whole rows selected, the segment-map delegate on Progress,
arrows between rows and Tab out of the table, sorting by a clicked header, and the column
layout a new user sees."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from gui_app.ui.download_cells import Column
from gui_app.ui.progress_delegate import ProgressDelegate

__all__ = ["DEFAULT_WIDTHS", "DownloadView"]

DEFAULT_WIDTHS = {
    Column.SIZE: 80,
    Column.PROGRESS: 180,
    Column.SPEED: 90,
    Column.ETA: 80,
    Column.STATUS: 220,
}


class DownloadView(QTableView):
    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
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
        # Rows dragged between others reorder the queue (DownloadModel.dropMimeData);
        # dragged links are not ours and go on to the window.
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        header = self.horizontalHeader()
        # A new user's columns, all in view at the window's default size: the name takes
        # what the others leave (``MainWindow``'s 1100 px wide, next to the sidebar).
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in DEFAULT_WIDTHS.items():
            header.resizeSection(column, width)
        # A click on a header sorts by it; a third click goes back to the list's own order.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
