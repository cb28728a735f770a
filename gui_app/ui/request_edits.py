"""Changing how a stopped download asks for its file: a new address that keeps its bytes
(the engine's refresh checks it is the same file) and the Properties dialog (cookies,
headers, login, proxy, connections, checksum). Engine calls run on the command runner;
outcomes come back as status-bar messages."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from gui_app.engine import DownloadRecord, DownloadSnapshot, Engine, RefreshRefusedError
from gui_app.ui.commands import CommandRunner
from gui_app.ui.confirmations import ask_carry_secrets, ask_new_address, ask_start_over
from gui_app.ui.properties_dialog import PropertiesDialog

__all__ = ["RequestEdits"]


class RequestEdits(QObject):
    message_posted = Signal(str, int)  # text for the status bar, for how many ms

    def __init__(self, engine: Engine, runner: CommandRunner, window: QWidget) -> None:
        super().__init__(window)
        self._engine = engine
        self._runner = runner
        self._window = window
        self.properties_dialog: PropertiesDialog | None = None  # the one open, if any

    def change_address(self, snapshot: DownloadSnapshot) -> None:
        """Ask for a new address; taken only if it serves the same file, then resumed."""
        url = ask_new_address(self._window, snapshot)
        if url is None:
            return
        carry = ask_carry_secrets(self._window, snapshot.record, url)
        if carry is None:
            return
        name, download_id = snapshot.record.display_name, snapshot.id

        def taken(_: object) -> None:
            self.message_posted.emit(f"{name}: new address taken; going on", 8000)
            self._runner.run(partial(self._engine.resume, download_id))

        def refused(error: Exception) -> None:
            self.message_posted.emit(f"{name}: {error}", 15000)
            if isinstance(error, RefreshRefusedError) and ask_start_over(self._window, name, error):
                restart = partial(self._engine.restart, download_id, url, carry_secrets=carry)
                self._runner.run(restart)

        refresh = partial(self._engine.refresh, download_id, url, carry_secrets=carry)
        self._runner.run(refresh, taken, refused)

    def edit_properties(self, record: DownloadRecord) -> None:
        """The Properties dialog, without blocking; its options are saved when accepted."""
        if self.properties_dialog is not None:
            self.properties_dialog.raise_()
            return
        dialog = self.properties_dialog = PropertiesDialog(record, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(partial(self._on_properties_accepted, dialog, record))
        dialog.finished.connect(self._on_properties_finished)
        dialog.open()

    def _on_properties_accepted(self, dialog: PropertiesDialog, record: DownloadRecord) -> None:
        name = record.display_name

        def saved(_: object) -> None:
            self.message_posted.emit(f"{name}: saved; it asks that way when it resumes", 8000)

        def refused(error: Exception) -> None:
            self.message_posted.emit(f"{name}: not saved: {error}", 15000)

        task = partial(self._engine.set_options, record.id, dialog.options())
        self._runner.run(task, saved, refused)

    def _on_properties_finished(self) -> None:
        self.properties_dialog = None
