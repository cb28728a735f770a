"""What a stopped download needs from its user, asked when it happens: a login when the
server answered 401 (the download goes on at once with it), and, when the file on the
server changed under the bytes kept, whether to start over or give the address of the
file as it was. One question at a time, never modal to the whole app; a download already
asked about is not asked again until it has an answer."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from gui_app.app.sites import SiteBook, origin_of_url
from gui_app.engine import DownloadId, DownloadRecord, Engine, Login, Problem
from gui_app.ui.commands import CommandRunner
from gui_app.ui.download_model import DownloadModel

__all__ = ["LoginDialog", "ProblemDesk"]


class LoginDialog(QDialog):
    """A login for the site that asked (its 401, in the engine's words, above)."""

    def __init__(
        self, record: DownloadRecord, parent: QWidget | None = None, remember: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Login for {record.display_name}")
        self.origin = origin_of_url(record.url)  # the login goes to the link's origin only
        self.remember = QCheckBox(f"Remember this login for {self.origin}")
        self.remember.setChecked(remember)
        self.remember.setVisible(remember)  # only where there is a site book to keep it
        self.said = QLabel(record.error or "The server asks for a login.")
        self.said.setWordWrap(True)
        self.user = QLineEdit(record.login.user if record.login else "")
        self.user.setAccessibleName("User name")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log in and go on")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("User name", self.user)
        form.addRow("Password", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.said)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.buttons)
        self.user.textChanged.connect(self._on_user_text_changed)
        self._on_user_text_changed()
        (self.password if self.user.text() else self.user).setFocus()

    def _on_user_text_changed(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.user.text().strip()) and ":" not in self.user.text())

    def login(self) -> Login:
        return Login(self.user.text().strip(), self.password.text())


class ProblemDesk(QObject):
    change_address_requested = Signal(int)  # DownloadId: the user will give a new address

    def __init__(
        self,
        engine: Engine,
        runner: CommandRunner,
        model: DownloadModel,
        window: QWidget,
        sites: SiteBook | None = None,
    ) -> None:
        super().__init__(window)
        self._sites = sites
        self._engine = engine
        self._runner = runner
        self._window = window
        self._waiting: deque[DownloadRecord] = deque()
        self._asking: DownloadId | None = None
        self.dialog: QDialog | None = None  # the question on screen, if any
        model.download_finished.connect(self._on_model_download_finished)

    def _on_model_download_finished(self, record: DownloadRecord) -> None:
        """A download failed with a problem its user can solve: asked, one at a time."""
        if record.problem is None or record.id == self._asking:
            return
        if all(r.id != record.id for r in self._waiting):
            self._waiting.append(record)
        self._ask_next()

    def _ask_next(self) -> None:
        if self.dialog is not None or not self._waiting:
            return
        record = self._waiting.popleft()
        self._asking = record.id
        dialog: QDialog
        if record.problem is Problem.LOGIN:
            login = LoginDialog(record, self._window, remember=self._sites is not None)
            login.accepted.connect(partial(self._on_login_accepted, record, login))
            dialog = login
        else:
            dialog = self._changed_question(record)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()

    def _changed_question(self, record: DownloadRecord) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            f"{record.display_name} changed on the server",
            f"{record.error or 'The file on the server changed.'}\n\nStarting over fetches "
            "the new file from the beginning. If the old file is still on offer at another "
            "address, give it instead and nothing is lost.",
            QMessageBox.StandardButton.NoButton,
            self._window,
        )
        restart = box.addButton("Start over", QMessageBox.ButtonRole.DestructiveRole)
        address = box.addButton("Change address…", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.buttonClicked.connect(partial(self._on_changed_answered, record.id, restart, address))
        return box

    def _on_changed_answered(
        self,
        download_id: DownloadId,
        restart: QAbstractButton,
        address: QAbstractButton,
        clicked: QAbstractButton,
    ) -> None:
        if clicked is restart:
            self._runner.run(partial(self._engine.restart, download_id))
        elif clicked is address:
            self.change_address_requested.emit(download_id)

    def _on_login_accepted(self, record: DownloadRecord, dialog: LoginDialog) -> None:
        login = dialog.login()
        if self._sites is not None and dialog.remember.isChecked():
            # Saved first (the runner keeps the order); the row keeps only a reference.
            self._runner.run(partial(self._sites.save_login, dialog.origin, login))
            login = Login(login.user, site=dialog.origin)
        options = replace(record.options, login=login)
        self._runner.run(partial(self._engine.set_options, record.id, options))
        self._runner.run(partial(self._engine.resume, record.id))

    def _on_dialog_finished(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None
        self._asking = None
        self._ask_next()
