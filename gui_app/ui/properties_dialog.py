"""The Properties dialog: a paused or failed download's request, edited before it goes on
(new cookies after a session expired, a login, another proxy, more connections, the
expected checksum). The caller hands ``options()`` to the engine's ``set_options``."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui_app.engine import MAX_CONNECTIONS, Checksum, DownloadRecord, Login, RequestOptions
from gui_app.ground.urls import redact_url
from gui_app.ui.request_fields import RequestFields

__all__ = ["PropertiesDialog"]


class PropertiesDialog(QDialog):
    def __init__(self, record: DownloadRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Properties of {record.display_name}")
        self.download_id = record.id
        self._cookies = record.cookies  # not shown: a cookies.txt's, kept as they are
        self._login = record.login
        address = QLabel(redact_url(record.url))
        address.setWordWrap(True)
        address.setAccessibleName("Address")
        self.connections = QSpinBox()
        self.connections.setRange(1, MAX_CONNECTIONS)
        self.connections.setValue(record.connections)
        self.connections.setAccessibleName("Connections")
        self.checksum_edit = QLineEdit("" if record.checksum is None else str(record.checksum))
        self.checksum_edit.setPlaceholderText("optional, e.g. sha256:9f86d08…")
        self.checksum_edit.setAccessibleName("Expected checksum")
        self.fields = RequestFields(self)
        self.fields.show_request(record.headers, record.login, record.proxy)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Problems with the settings")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Address", address)
        form.addRow("Connections", self.connections)
        form.addRow("Checksum", self.checksum_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.fields)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.fields.changed.connect(self._on_fields_changed)
        self.checksum_edit.textChanged.connect(self._on_fields_changed)
        self.resize(560, 400)
        self._on_fields_changed()

    def _problems(self) -> list[str]:
        problems = self.fields.problems()
        try:
            self._checksum()
        except ValueError as error:
            problems.append(f"Checksum: {error}")
        return problems

    def _on_fields_changed(self) -> None:
        problems = self._problems()
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)

    def _checksum(self) -> Checksum | None:
        text = self.checksum_edit.text().strip()
        return Checksum.parse(text) if text else None

    def _login_chosen(self) -> Login | None:
        """The fields' login; a saved login's reference stays one while its user is kept
        and no password is typed (the password is the site book's, never shown here)."""
        chosen, kept = self.fields.login(), self._login
        if kept is not None and kept.site is not None and chosen == Login(kept.user):
            return kept
        return chosen

    def options(self) -> RequestOptions:
        """What the download asks with from now on; only once the dialog is accepted."""
        return RequestOptions(
            headers=self.fields.headers(),
            login=self._login_chosen(),
            proxy=self.fields.proxy(),
            checksum=self._checksum(),
            connections=self.connections.value(),
            cookies=self._cookies,
        )
