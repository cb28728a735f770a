"""The sidebar beside the table: the states (All, Active, Queued, Paused, Completed,
Failed) and the categories, each with its live count. Choosing one tells the window
which downloads to show; the counts are given, never computed here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from gui_app.engine import OTHER
from gui_app.ui.download_filter import StateGroup

__all__ = ["Sidebar"]

_CHOICE = Qt.ItemDataRole.UserRole + 1


class Sidebar(QTreeWidget):
    state_chosen = Signal(object)  # StateGroup
    category_chosen = Signal(str)

    def __init__(self, categories: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Show downloads by state or category")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setMinimumWidth(150)
        self.setMaximumWidth(240)
        self._states = QTreeWidgetItem(self, ["States"])
        self._categories = QTreeWidgetItem(self, ["Categories"])
        for group_item in (self._states, self._categories):
            group_item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not a choice
        self._items: dict[object, QTreeWidgetItem] = {}
        for group in StateGroup:
            self._add(self._states, group, group.value)
        self.set_categories(categories)
        self.expandAll()
        self.setCurrentItem(self._items[StateGroup.ALL])
        self.currentItemChanged.connect(self._on_current_item_changed)

    def _add(self, parent: QTreeWidgetItem, choice: object, name: str) -> None:
        item = QTreeWidgetItem(parent, [name])
        item.setData(0, _CHOICE, choice)
        item.setData(0, Qt.ItemDataRole.AccessibleTextRole, name)
        self._items[choice] = item

    def set_categories(self, names: Sequence[str]) -> None:
        """The categories' names, in order ("Other" last)."""
        for name in [k for k in self._items if isinstance(k, str)]:
            self._categories.removeChild(self._items.pop(name))
        for name in [*names, OTHER]:
            self._add(self._categories, name, name)

    def show_counts(self, states: Mapping[StateGroup, int], categories: Mapping[str, int]) -> None:
        for choice, item in self._items.items():
            count = (
                states.get(choice, 0)
                if isinstance(choice, StateGroup)
                else (categories.get(str(choice), 0))
            )
            name = choice.value if isinstance(choice, StateGroup) else str(choice)
            text = f"{name} ({count})"
            if item.text(0) != text:  # a repaint only when a count changed
                item.setText(0, text)
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{name}, {count}")

    def choose(self, choice: StateGroup | str) -> None:
        self.setCurrentItem(self._items[choice])

    def _on_current_item_changed(self, item: QTreeWidgetItem | None, _: object) -> None:
        choice = None if item is None else item.data(0, _CHOICE)
        if isinstance(choice, StateGroup):
            self.state_chosen.emit(choice)
        elif isinstance(choice, str):
            self.category_chosen.emit(choice)
