"""A list edited in a Settings tab: a read-only table of the items, and Add…, Edit…
(or a double click) and Remove, each item edited in a dialog of its own. Categories and
sites are both one; a subclass says how an item reads in the table, which dialog edits it
and what an accepted dialog changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ListEditor"]

T = TypeVar("T")
D = TypeVar("D", bound=QDialog)


class ListEditor(QGroupBox, Generic[T, D]):
    def __init__(
        self,
        title: str,
        headers: Sequence[str],
        items: Sequence[T],
        cells: Callable[[T], list[str]],
        add_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.items = list(items)
        self._cells = cells
        self.table = QTableWidget(0, len(headers))
        self.table.setAccessibleName(title)
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMaximumHeight(150)
        self.table.doubleClicked.connect(self._on_edit_clicked)
        self.add_button = QPushButton(add_text)
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.table)
        self.layout_.addLayout(self.buttons)
        self.dialog: D | None = None  # the one open: one at a time, and for tests
        self.show_items()

    # -- for subclasses ----------------------------------------------------------------

    def make_dialog(self, row: int | None) -> D:
        raise NotImplementedError

    def take(self, row: int | None, dialog: D) -> None:
        """Apply an accepted dialog to ``self.items`` (``row`` None: a new item)."""
        raise NotImplementedError

    def forget(self, item: T) -> None:
        """``item`` was removed (a subclass drops what it kept for it)."""

    # -- the list ----------------------------------------------------------------------

    def show_items(self) -> None:
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            for column, text in enumerate(self._cells(item)):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _selected(self) -> int | None:
        row = self.table.currentRow()
        return row if 0 <= row < len(self.items) else None

    def _on_add_clicked(self) -> None:
        self._edit(None)

    def _on_edit_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            self._edit(row)

    def _edit(self, row: int | None) -> None:
        dialog = self.dialog = self.make_dialog(row)
        dialog.accepted.connect(lambda: self._on_dialog_accepted(row, dialog))
        dialog.finished.connect(self._on_dialog_finished)
        dialog.open()

    def _on_dialog_accepted(self, row: int | None, dialog: D) -> None:
        self.take(row, dialog)
        self.show_items()

    def _on_dialog_finished(self) -> None:
        self.dialog = None

    def _on_remove_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            self.forget(self.items.pop(row))
            self.show_items()
