"""What the table shows of the downloads: the sidebar's state group or category, the
search box's words (in the name or the URL, any case), and the order: the column the user
clicked, else the queue's (in which queued downloads start). A ``QSortFilterProxyModel``
over the downloads model, so the model stays one list in the engine's order and the view
maps its rows through here."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from gui_app.engine import Categorizer, Category, DownloadRecord, DownloadSnapshot, DownloadState
from gui_app.ui.download_model import DownloadModel

__all__ = ["DownloadFilter", "Shown", "StateGroup", "state_counts"]


class StateGroup(enum.Enum):
    """The sidebar's states; Active is running or being verified."""

    ALL = "All"
    ACTIVE = "Active"
    QUEUED = "Queued"
    PAUSED = "Paused"
    COMPLETED = "Completed"
    FAILED = "Failed"

    def holds(self, state: DownloadState) -> bool:
        match self:
            case StateGroup.ALL:
                return True
            case StateGroup.ACTIVE:
                return state.is_active
        return state.value == self.name.lower()


def state_counts(snapshots: Sequence[DownloadSnapshot]) -> dict[StateGroup, int]:
    by_state = Counter(snapshot.state for snapshot in snapshots)
    return {
        group: sum(n for state, n in by_state.items() if group.holds(state)) for group in StateGroup
    }


@dataclass(frozen=True, slots=True)
class Shown:
    """What the table shows: one state group, or one category; and the searched words."""

    group: StateGroup = StateGroup.ALL
    category: str | None = None  # None: every category
    words: str = ""  # case-folded


class DownloadFilter(QSortFilterProxyModel):
    def __init__(
        self,
        model: DownloadModel,
        categories: Callable[[], Sequence[Category]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._categories = categories
        self.shown = Shown()
        self._categorizer = Categorizer(categories())
        self.setSourceModel(model)
        self.setDynamicSortFilter(True)  # a changed row is filtered again, never re-sorted

    def show_state(self, group: StateGroup) -> None:
        self.show(replace(self.shown, group=group, category=None))

    def show_category(self, name: str) -> None:
        self.show(replace(self.shown, group=StateGroup.ALL, category=name))

    def search(self, words: str) -> None:
        self.show(replace(self.shown, words=words.strip().casefold()))

    def show(self, shown: Shown) -> None:
        """Show what ``shown`` asks (Qt 6.10 wants the change made between begin and
        end; older versions invalidate after it)."""
        begin = getattr(self, "beginFilterChange", None)
        if begin is None:  # Qt < 6.10
            self.shown = shown
            self.invalidateRowsFilter()
            return
        begin()
        self.shown = shown
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By ``column``; -1 (no header chosen) is the queue's order. The model sorts its
        own rows (see ``DownloadModel.sort``); this proxy keeps their order."""
        self._model.sort(column, order)

    def _categorize(self, record: DownloadRecord) -> str:
        categories = tuple(self._categories())
        if self._categorizer.categories != categories:
            self._categorizer = Categorizer(categories)
        return self._categorizer.of(record.display_name, record.url)

    def snapshot_at(self, row: int) -> DownloadSnapshot:
        """The snapshot shown at the view's ``row``."""
        return self._model.snapshot_at(self.mapToSource(self.index(row, 0)).row())

    def filterAcceptsRow(  # noqa: N802  # Qt's name
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        record = self._model.snapshot_at(source_row).record
        shown = self.shown
        if not shown.group.holds(record.state):
            return False
        if shown.category is not None and self._categorize(record) != shown.category:
            return False
        words = shown.words
        return (
            not words or words in record.display_name.casefold() or words in (record.url.casefold())
        )
