"""A folder path field with a Browse… button, shared by the Add and Settings dialogs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

__all__ = ["FolderField"]


class FolderField(QWidget):
    def __init__(self, folder: Path, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(str(folder))
        self.edit.setAccessibleName(accessible_name)
        browse = QPushButton("Browse…")
        browse.setAccessibleName(f"Choose the {accessible_name.lower()}")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(browse)

    def path(self) -> Path:
        return Path(self.edit.text()).expanduser()

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.edit.accessibleName(), self.edit.text()
        )
        if folder:
            self.edit.setText(folder)
