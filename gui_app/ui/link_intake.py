"""Every way a link comes in: the Add dialog, a paste, a drop, another process handing
URLs over, and links copied to the clipboard (when the user wants them offered).

Links already in the list are never added twice without asking: they go to the Add
dialog, which says so. Engine calls run on the command runner, never the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget

from gui_app.engine.errors import InvalidURLError
from gui_app.engine.interface import Engine
from gui_app.engine.models import DownloadRequest
from gui_app.engine.urls import validate_url
from gui_app.ui.add_dialog import AddDialog
from gui_app.ui.commands import CommandRunner
from gui_app.ui.download_model import DownloadModel
from gui_app.ui.links import ClipboardWatcher, urls_from_mime
from gui_app.ui.settings import Settings

__all__ = ["LinkDrops", "LinkIntake"]


class LinkIntake(QObject):
    message_posted = Signal(str, int)  # text for the status bar, for how many ms

    def __init__(
        self,
        engine: Engine,
        runner: CommandRunner,
        model: DownloadModel,
        settings: Callable[[], Settings],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._engine = engine
        self._runner = runner
        self._model = model
        self._settings = settings
        self._window = window
        self._offer: AddDialog | None = None  # the Add dialog open with offered links
        self.clipboard = ClipboardWatcher(self)
        self.clipboard.enabled = settings().watch_clipboard
        self.clipboard.links_copied.connect(self._on_clipboard_links_copied)

    @property
    def offer_dialog(self) -> AddDialog | None:
        """The Add dialog open with offered links, if any."""
        return self._offer

    def listed_urls(self) -> set[str]:
        model = self._model
        return {model.snapshot_at(row).record.url for row in range(model.rowCount())}

    def add_urls(self, urls: Sequence[str], *, start_paused: bool = False) -> None:
        """Queue ``urls`` (a drop, a paste, another program); listed ones are offered."""
        listed = self.listed_urls()
        unique = list(dict.fromkeys(urls))
        self.offer_urls([u for u in unique if u in listed])
        settings = self._settings()
        self.add_requests([
            DownloadRequest(u, settings.download_dir, connections=settings.connections,
                            start_paused=start_paused)
            for u in unique if u not in listed
        ])  # fmt: skip

    def add_requests(self, requests: Sequence[DownloadRequest]) -> None:
        for request in requests:
            self._runner.run(partial(self._engine.add, request))

    def receive_urls(self, urls: Sequence[str]) -> None:
        """URLs handed over by another ``rangeload URL``: checked, then queued or offered."""
        good = []
        for url in urls:
            try:
                good.append(validate_url(url))
            except InvalidURLError as error:
                self.message_posted.emit(f"Not added: {error}", 6000)
        if self._settings().ask_before_adding:
            self.offer_urls(good)
        else:
            self.add_urls(good)

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        urls = urls_from_mime(mime) if mime is not None else []
        if urls:
            self.add_urls(urls)
        else:
            self.message_posted.emit("The clipboard holds no http or https link", 4000)

    def ask(self) -> None:
        """File > Add: the Add dialog, empty, modal."""
        dialog = self._dialog()
        if dialog.exec():
            self.add_requests(dialog.requests())

    def offer_urls(self, urls: Sequence[str]) -> None:
        """Open the Add dialog (without blocking) with ``urls`` filled in; links offered
        while it is open join it."""
        if not urls:
            return
        text = "\n".join(urls)
        if self._offer is not None:
            self._offer.add_text(text)
            return
        dialog = self._dialog(text)
        dialog.accepted.connect(partial(self._on_offer_accepted, dialog))
        dialog.finished.connect(self._on_offer_finished)
        self._offer = dialog
        dialog.open()

    def _dialog(self, text: str = "") -> AddDialog:
        settings = self._settings()
        return AddDialog(settings.download_dir, self.listed_urls(), text, self._window,
                         connections=settings.connections)  # fmt: skip

    def _on_offer_accepted(self, dialog: AddDialog) -> None:
        self.add_requests(dialog.requests())

    def _on_offer_finished(self) -> None:
        if self._offer is not None:
            self._offer.deleteLater()
            self._offer = None

    def _on_clipboard_links_copied(self, urls: list[str]) -> None:
        listed = self.listed_urls()
        self.offer_urls([u for u in urls if u not in listed])


class LinkDrops(QObject):
    """Links dragged onto the window: a hint over ``area`` while they are held above it,
    and ``intake.add_urls`` when they are dropped. The window's drag and drop overrides
    call these."""

    def __init__(self, intake: LinkIntake, window: QWidget, area: QWidget) -> None:
        super().__init__(window)
        self._intake = intake
        self._area = area
        self.hint = QLabel("Drop links to download them", window)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setAutoFillBackground(True)
        self.hint.hide()
        window.setAcceptDrops(True)

    def enter(self, event: QDragEnterEvent) -> None:
        if urls_from_mime(event.mimeData()):
            event.acceptProposedAction()
            self.hint.setGeometry(self._area.geometry())
            self.hint.raise_()
            self.hint.show()
        else:
            event.ignore()

    def leave(self) -> None:
        self.hint.hide()

    def drop(self, event: QDropEvent) -> None:
        self.hint.hide()
        urls = urls_from_mime(event.mimeData())
        if urls:
            self._intake.add_urls(urls)
            event.acceptProposedAction()
