"""What the user sees of the list: the sidebar, the table over the filter, the details
pane under it, and the search box (which the window puts in its toolbar). Rows the view
shows are the filter's; ``selected_snapshots`` maps them back to the downloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QSplitter, QWidget

from gui_app.categories import Category
from gui_app.engine.models import DownloadSnapshot
from gui_app.ui.download_filter import DownloadFilter, category_counts, state_counts
from gui_app.ui.download_model import DownloadModel
from gui_app.ui.download_view import DownloadView
from gui_app.ui.sidebar import Sidebar

__all__ = ["DownloadPanel"]


class DownloadPanel(QSplitter):
    def __init__(
        self,
        model: DownloadModel,
        details: QWidget,
        categories: Callable[[], Sequence[Category]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._model = model
        self._categories = categories
        self.filter = DownloadFilter(model, categories, self)
        self.sidebar = Sidebar([c.name for c in categories()], self)
        self.view = DownloadView(self.filter, self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search names and addresses (Ctrl+F)")
        self.search.setAccessibleName("Search downloads")
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.view)
        right.addWidget(details)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        self.addWidget(self.sidebar)
        self.addWidget(right)
        self.setStretchFactor(1, 1)
        self.sidebar.state_chosen.connect(self.filter.show_state)
        self.sidebar.category_chosen.connect(self.filter.show_category)
        self.search.textChanged.connect(self.filter.search)

    def selected_rows(self) -> set[int]:
        """The model's rows of the downloads selected in the view."""
        indexes = self.view.selectionModel().selectedRows()
        return {self.filter.mapToSource(index).row() for index in indexes}

    def selected_snapshots(self) -> list[DownloadSnapshot]:
        return [self._model.snapshot_at(row) for row in sorted(self.selected_rows())]

    def refresh_counts(self) -> None:
        """The sidebar's counts from the model's rows (no engine call)."""
        snapshots = self._model.snapshots()
        self.sidebar.show_counts(state_counts(snapshots),
                                 category_counts(snapshots, self._categories()))  # fmt: skip

    def set_categories(self, names: Sequence[str]) -> None:
        self.sidebar.set_categories(names)
        self.filter.show(self.filter.shown)
        self.refresh_counts()
