"""The Add dialog: URLs one per line, checked as they are typed, with the reason for each
bad one; destination, connections, speed limit, expected checksum and "start paused";
and, behind
"Advanced", how the downloads ask for their files (cookies, headers, login, proxy)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui_app.engine import (
    MAX_CONNECTIONS,
    CategoryFolders,
    Checksum,
    DownloadRequest,
    InvalidURLError,
    validate_url,
)
from gui_app.ground.naming import display_name_for_url
from gui_app.ground.units import parse_rate
from gui_app.ground.urls import redact_url
from gui_app.ui.folder_field import FolderField
from gui_app.ui.request_fields import RequestFields

__all__ = ["AddDialog"]


class AddDialog(QDialog):
    def __init__(
        self,
        download_dir: Path,
        existing_urls: Collection[str] = (),
        text: str = "",
        parent: QWidget | None = None,
        connections: int = 8,
        sort_into: CategoryFolders | None = None,
    ) -> None:
        super().__init__(parent)
        self._sort_into = sort_into  # used while the folder is left as it was
        self.setWindowTitle("Add downloads")
        self._existing = set(existing_urls)
        self.urls_edit = QPlainTextEdit(text)
        self.urls_edit.setPlaceholderText("One URL a line: https://example.com/file.iso")
        self.urls_edit.setAccessibleName("URLs to download")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Problems with the URLs")
        # What a browser said about the links it sent: the page, and the name it suggested.
        self.origins = QLabel()
        self.origins.setWordWrap(True)
        self.origins.setAccessibleName("Where the links come from")
        self.origins.hide()
        self._origin_lines: dict[str, str] = {}
        self.folder = FolderField(download_dir, "Destination folder")
        self.folder_edit = self.folder.edit
        self.connections = QSpinBox()
        self.connections.setRange(1, MAX_CONNECTIONS)
        self.connections.setValue(connections)
        self.connections.setAccessibleName("Connections per download")
        self.speed_limit = QLineEdit()
        self.speed_limit.setPlaceholderText("unlimited (or e.g. 500K, 2M)")
        self.speed_limit.setAccessibleName("Speed limit of each download")
        self.checksum_edit = QLineEdit()
        self.checksum_edit.setPlaceholderText("optional, e.g. sha256:9f86d08…")
        self.checksum_edit.setAccessibleName("Expected checksum")
        self.start_paused = QCheckBox("Start paused")
        self.add_duplicates = QCheckBox("Add URLs that are already in the list again")
        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setText("Advanced: cookies, headers, login, proxy")
        self.advanced_toggle.setAccessibleName("Show the advanced request settings")
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.toggled.connect(self._on_advanced_toggle_toggled)
        self.advanced = RequestFields()
        self.advanced.hide()
        self.advanced.changed.connect(self._on_urls_edit_text_changed)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Save to", self.folder)
        form.addRow("Connections", self.connections)
        form.addRow("Speed limit", self.speed_limit)
        form.addRow("Checksum", self.checksum_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("URLs"))
        layout.addWidget(self.urls_edit)
        layout.addWidget(self.origins)
        layout.addWidget(self.problems)
        layout.addLayout(form)
        layout.addWidget(self.start_paused)
        layout.addWidget(self.add_duplicates)
        layout.addWidget(self.advanced_toggle)
        layout.addWidget(self.advanced)
        layout.addWidget(self.buttons)
        self.urls_edit.textChanged.connect(self._on_urls_edit_text_changed)
        self.checksum_edit.textChanged.connect(self._on_urls_edit_text_changed)
        self.speed_limit.textChanged.connect(self._on_urls_edit_text_changed)
        self.add_duplicates.toggled.connect(self._on_urls_edit_text_changed)
        self.resize(560, 420)
        self._on_urls_edit_text_changed()

    def _check(self) -> tuple[list[str], list[str]]:
        """(good URLs, one line per problem)."""
        good: list[str] = []
        problems: list[str] = []
        for number, line in enumerate(self.urls_edit.toPlainText().splitlines(), 1):
            if not line.strip():
                continue
            try:
                url = validate_url(line)
            except InvalidURLError as error:
                problems.append(f"Line {number}: {error}")
                continue
            if url in good:
                continue
            if url in self._existing and not self.add_duplicates.isChecked():
                problems.append(f"Line {number}: already in the list (tick below to add again)")
                continue
            good.append(url)
        checksum = self.checksum_edit.text().strip()
        if checksum:
            try:
                Checksum.parse(checksum)
            except ValueError as error:
                problems.append(f"Checksum: {error}")
        try:
            self._rate()
        except ValueError as error:
            problems.append(f"Speed limit: {error}")
        problems += self.advanced.problems()
        return good, problems

    def _on_advanced_toggle_toggled(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )

    def _on_urls_edit_text_changed(self) -> None:
        good, problems = self._check()
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        blocking = any(not p.startswith("Line ") for p in problems)  # not just one URL
        ok.setEnabled(bool(good) and not blocking)
        ok.setText(f"Add {len(good)}" if len(good) != 1 else "Add 1")

    def note_origin(self, url: str, referrer: str | None, filename: str | None) -> None:
        """Show where an offered link comes from and the name the browser suggested."""
        parts = [
            f"from {redact_url(referrer)}" if referrer else "",
            f"saved as {filename}" if filename else "",
        ]
        said = ", ".join(p for p in parts if p)
        self._origin_lines[url] = f"{display_name_for_url(url)}: {said}"
        self.origins.setText("\n".join(self._origin_lines.values()))
        self.origins.show()

    def add_text(self, text: str) -> None:
        """Append lines (more links offered while the dialog is open)."""
        current = self.urls_edit.toPlainText().rstrip("\n")
        self.urls_edit.setPlainText(f"{current}\n{text}" if current else text)

    def _folder_left_alone(self) -> bool:
        """A folder chosen here wins over the category's."""
        return self._sort_into is not None and self.folder.path() == self._sort_into.base

    def _rate(self) -> int | None:
        text = self.speed_limit.text().strip()
        return parse_rate(text) if text else None

    def requests(self) -> list[DownloadRequest]:
        good, _ = self._check()
        text = self.checksum_edit.text().strip()
        checksum = Checksum.parse(text) if text else None
        return [
            DownloadRequest(
                url=url,
                dest_dir=self.folder.path(),
                connections=self.connections.value(),
                rate_limit=self._rate(),
                checksum=checksum,
                start_paused=self.start_paused.isChecked(),
                headers=self.advanced.headers(),
                folder_rule=self._sort_into if self._folder_left_alone() else None,
                login=self.advanced.login(),
                proxy=self.advanced.proxy(),
            )
            for url in good
        ]
