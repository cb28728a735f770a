"""The Settings dialog's categories: each a name, the extensions it takes, optional URL
patterns, and a folder (blank: a subfolder of the download folder named after it); and
whether new downloads are sorted into those folders at all."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui_app.categories import OTHER, Category

__all__ = ["CategoriesPanel", "CategoryDialog"]


class CategoryDialog(QDialog):
    def __init__(
        self, category: Category | None, taken: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Category" if category is None else f"Category {category.name}")
        self._taken = {name.casefold() for name in taken} | {OTHER.casefold()}
        self.name = QLineEdit(category.name if category else "")
        self.name.setAccessibleName("Category name")
        self.extensions = QLineEdit(" ".join(category.extensions) if category else "")
        self.extensions.setAccessibleName("Extensions")
        self.extensions.setPlaceholderText("mp4 mkv webm")
        self.patterns = QLineEdit(" ".join(category.patterns) if category else "")
        self.patterns.setAccessibleName("Address patterns")
        self.patterns.setPlaceholderText("optional: *://videos.example.org/*")
        self.folder = QLineEdit(category.folder or "" if category else "")
        self.folder.setAccessibleName("Folder")
        self.folder.setPlaceholderText("blank: a folder of that name in the download folder")
        self.problem = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        for label, widget in (("Name", self.name), ("Extensions", self.extensions),
                              ("Addresses", self.patterns), ("Folder", self.folder)):  # fmt: skip
            form.addRow(label, widget)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        for edit in (self.name, self.folder):
            edit.textChanged.connect(self._on_field_text_changed)
        self._on_field_text_changed()

    def _on_field_text_changed(self) -> None:
        try:
            self.category()
            problem = ""
        except ValueError as error:
            problem = str(error)
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def category(self) -> Category:
        name = self.name.text().strip()
        if name.casefold() in self._taken:
            raise ValueError(f"there is a category {name} already")
        folder = self.folder.text().strip() or None
        if folder is not None and not folder.startswith(("/", "~")):
            raise ValueError("a category's folder is a full path (or blank)")
        return Category(name, tuple(self.extensions.text().split()),
                        tuple(self.patterns.text().split()), folder)  # fmt: skip


class CategoriesPanel(QGroupBox):
    def __init__(
        self, categories: Sequence[Category], sort_into_folders: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__("Categories", parent)
        self.categories = list(categories)
        self.sort_into_folders = QCheckBox("Sort new downloads into a folder per category")
        self.sort_into_folders.setChecked(sort_into_folders)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Categories")
        self.table.setHorizontalHeaderLabels(["Name", "Extensions", "Folder"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMaximumHeight(150)
        self.table.doubleClicked.connect(self._on_edit_clicked)
        self.add_button = QPushButton("Add category…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sort_into_folders)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.dialog: CategoryDialog | None = None  # the one open
        self._show()

    def _show(self) -> None:
        self.table.setRowCount(len(self.categories))
        for row, category in enumerate(self.categories):
            cells = [category.name, " ".join(category.extensions),
                     category.folder or f"(download folder)/{category.name}"]  # fmt: skip
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _selected(self) -> int | None:
        row = self.table.currentRow()
        return row if 0 <= row < len(self.categories) else None

    def _on_add_clicked(self) -> None:
        self._edit(None)

    def _on_edit_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            self._edit(row)

    def _edit(self, row: int | None) -> None:
        taken = [c.name for n, c in enumerate(self.categories) if n != row]
        current = None if row is None else self.categories[row]
        dialog = self.dialog = CategoryDialog(current, taken, self)
        dialog.accepted.connect(lambda: self._on_category_dialog_accepted(row, dialog))
        dialog.finished.connect(self._on_category_dialog_finished)
        dialog.open()

    def _on_category_dialog_accepted(self, row: int | None, dialog: CategoryDialog) -> None:
        if row is None:
            self.categories.append(dialog.category())
        else:
            self.categories[row] = dialog.category()
        self._show()

    def _on_category_dialog_finished(self) -> None:
        self.dialog = None

    def _on_remove_clicked(self) -> None:
        row = self._selected()
        if row is not None:
            del self.categories[row]
            self._show()
