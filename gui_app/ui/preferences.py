"""The Settings dialog's round trip: opened without blocking, with the site book's list;
when accepted, the settings go to the window to apply and save, and the sites (and any
password typed) are saved on the command runner, since a password may go to the desktop's
keyring over D-Bus."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from gui_app.app.settings import Settings
from gui_app.app.sites import Site, SiteBook
from gui_app.ui.commands import CommandRunner
from gui_app.ui.settings_dialog import SettingsDialog

__all__ = ["Preferences"]


class Preferences(QObject):
    settings_chosen = Signal(object)  # Settings, to apply and save

    def __init__(
        self,
        runner: CommandRunner,
        book: SiteBook | None,
        settings: Callable[[], Settings],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._runner = runner
        self._settings = settings
        self._window = window
        self.book = book
        self.sites: list[Site] = []  # the book's list, as last loaded or saved
        self.passwords_go = ""  # where the book keeps passwords, in words, once known
        self.dialog: SettingsDialog | None = None  # while it is open
        if book is not None:
            runner.run(lambda: (book.all(), book.where_passwords_go()), self._on_book_read)

    def _on_book_read(self, found: tuple[list[Site], str]) -> None:
        self.sites, self.passwords_go = found

    def open(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            return
        sites = self.sites if self.book is not None else None
        dialog = SettingsDialog(
            self._settings(), self._window, sites=sites, passwords_go=self.passwords_go
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(partial(self._on_dialog_accepted, dialog))
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()

    def _on_dialog_accepted(self, dialog: SettingsDialog) -> None:
        self.settings_chosen.emit(dialog.settings())
        book = self.book
        if book is not None:
            panel = dialog.sites_panel
            self.sites = list(panel.sites)
            self._runner.run(partial(book.save_all, self.sites))
            for origin, login in panel.logins.items():
                self._runner.run(partial(book.save_login, origin, login))

    def _on_dialog_finished(self) -> None:
        self.dialog = None
