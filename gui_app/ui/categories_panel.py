"""The Settings dialog's categories: each a name, the extensions it takes, optional URL
patterns, and a folder (blank: a subfolder of the download folder named after it); and
whether new downloads are sorted into those folders at all."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from gui_app.engine import OTHER, Category
from gui_app.ui.checked_dialog import ok_cancel, show_check
from gui_app.ui.list_editor import ListEditor

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
        self.buttons = ok_cancel(self)
        form = QFormLayout(self)
        for label, widget in (
            ("Name", self.name),
            ("Extensions", self.extensions),
            ("Addresses", self.patterns),
            ("Folder", self.folder),
        ):
            form.addRow(label, widget)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        for edit in (self.name, self.folder):
            edit.textChanged.connect(self._on_field_text_changed)
        self._on_field_text_changed()

    def _on_field_text_changed(self) -> None:
        show_check(self.buttons, self.problem, self.category)

    def category(self) -> Category:
        name = self.name.text().strip()
        if name.casefold() in self._taken:
            raise ValueError(f"there is a category {name} already")
        folder = self.folder.text().strip() or None
        return Category(
            name, tuple(self.extensions.text().split()), tuple(self.patterns.text().split()), folder
        )


def _cells(category: Category) -> list[str]:
    return [
        category.name,
        " ".join(category.extensions),
        category.folder or f"(download folder)/{category.name}",
    ]


class CategoriesPanel(ListEditor[Category, CategoryDialog]):
    def __init__(
        self, categories: Sequence[Category], sort_into_folders: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Categories",
            ["Name", "Extensions", "Folder"],
            categories,
            _cells,
            "Add category…",
            parent,
        )
        self.sort_into_folders = QCheckBox("Sort new downloads into a folder per category")
        self.sort_into_folders.setChecked(sort_into_folders)
        self.layout_.insertWidget(0, self.sort_into_folders)

    @property
    def categories(self) -> list[Category]:
        return self.items

    def make_dialog(self, row: int | None) -> CategoryDialog:
        taken = [c.name for n, c in enumerate(self.items) if n != row]
        return CategoryDialog(None if row is None else self.items[row], taken, self)

    def take(self, row: int | None, dialog: CategoryDialog) -> None:
        if row is None:
            self.items.append(dialog.category())
        else:
            self.items[row] = dialog.category()
