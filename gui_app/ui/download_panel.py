"""What the user sees of the list: the sidebar, the table over the filter, the details
pane under it, and the search box (which the window puts in its toolbar). Rows the view
shows are the filter's; ``selected_snapshots`` maps them back to the downloads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QSplitter, QWidget

from gui_app.engine import Categorizer, Category, DownloadSnapshot
from gui_app.ui.download_filter import DownloadFilter, state_counts
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
        # Counts are recounted only after rows came, went or changed state or name (not
        # for a poll's new speeds), and each row's category is worked out once per name.
        self._dirty = True
        self._categorised: dict[int, tuple[str, str]] = {}  # id -> (name, category)
        self._categorizer = Categorizer(categories())
        for signal in (model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self._on_model_changed)
        self.sidebar.state_chosen.connect(self.filter.show_state)
        self.sidebar.category_chosen.connect(self.filter.show_category)
        self.search.textChanged.connect(self.filter.search)

    def selected_rows(self) -> set[int]:
        """The model's rows of the downloads selected in the view."""
        indexes = self.view.selectionModel().selectedRows()
        return {self.filter.mapToSource(index).row() for index in indexes}

    def selected_snapshots(self) -> list[DownloadSnapshot]:
        return [self._model.snapshot_at(row) for row in sorted(self.selected_rows())]

    def note_change(self, *_: object) -> None:
        """A download changed state or name: count again at the next refresh."""
        self._dirty = True

    def _on_model_changed(self, *_: object) -> None:
        self._dirty = True

    def refresh_counts(self) -> None:
        """The sidebar's counts from the model's rows (no engine call), when they may
        have changed."""
        if not self._dirty:
            return
        self._dirty = False
        snapshots = self._model.snapshots()
        categories = tuple(self._categories())
        if self._categorizer.categories != categories:
            self._categorizer = Categorizer(categories)
            self._categorised.clear()
        known, categorize = self._categorised, self._categorizer.of
        counts: dict[str, int] = {}
        for snapshot in snapshots:
            name = snapshot.record.display_name
            cached = known.get(snapshot.id)
            if cached is None or cached[0] != name:
                cached = known[snapshot.id] = (name, categorize(name, snapshot.record.url))
            counts[cached[1]] = counts.get(cached[1], 0) + 1
        self.sidebar.show_counts(state_counts(snapshots), counts)

    def set_categories(self, names: Sequence[str]) -> None:
        self.sidebar.set_categories(names)
        self._categorised.clear()
        self._dirty = True
        self.filter.show(self.filter.shown)
        self.refresh_counts()
