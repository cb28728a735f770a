"""Every way a link comes in: the Add dialog, a paste, a drop, another process handing
URLs over, and links copied to the clipboard (when the user wants them offered).

Links already in the list are never added twice without asking: they go to the Add
dialog, which says so. Engine calls run on the command runner, never the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget

from gui_app.app.settings import Settings
from gui_app.app.sites import SiteBook
from gui_app.engine import (
    DownloadError,
    DownloadRequest,
    DownloadSnapshot,
    Engine,
    InvalidURLError,
    same_origin,
    validate_url,
)
from gui_app.ground.headers import merge_headers
from gui_app.ground.naming import display_name_for_url
from gui_app.handover import Offer
from gui_app.ui.add_dialog import AddDialog
from gui_app.ui.commands import CommandRunner
from gui_app.ui.confirmations import ask_carry_secrets, ask_update_existing
from gui_app.ui.download_model import DownloadModel
from gui_app.ui.links import ClipboardWatcher, urls_from_mime

__all__ = ["LinkDrops", "LinkIntake"]

log = logging.getLogger(__name__)


class LinkIntake(QObject):
    """Every way a link comes in (the Add dialog, a paste, a drop, a hand-over from the
    browser or another process, the clipboard) and the one way it goes to the engine:
    a listed link is offered again, never added twice, and a list goes in one
    ``add_many`` on the command runner, never on the GUI thread."""

    message_posted = Signal(str, int)  # text for the status bar, for how many ms

    def __init__(
        self,
        engine: Engine,
        runner: CommandRunner,
        model: DownloadModel,
        settings: Callable[[], Settings],
        window: QWidget,
        sites: SiteBook | None = None,
    ) -> None:
        super().__init__(window)
        self._sites = sites
        self._engine = engine
        self._runner = runner
        self._model = model
        self._settings = settings
        self._window = window
        self._offer: AddDialog | None = None  # the Add dialog open with offered links
        # What a browser said about links waiting in the Add dialog: their requests get it.
        self._offered: dict[str, Offer] = {}
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
        self.add_offers([Offer(u) for u in urls], start_paused=start_paused)

    def add_offers(self, offers: Sequence[Offer], *, start_paused: bool = False) -> None:
        """Queue ``offers``, with what the browser said (referrer, cookies, name); links
        already listed go to the Add dialog instead, and a link named like a paused or
        failed download may renew that one's address instead (an expired link)."""
        listed = self.listed_urls()
        unique = list({o.url: o for o in offers}.values())
        self.offer([o for o in unique if o.url in listed])
        # One look at the list for all the links: a look per link froze the window for
        # 0.27 s when 1,000 links were pasted into a list of 1,000.
        stopped = self._stopped_by_name()
        fresh = [o for o in unique if o.url not in listed and not self._renewed(o, stopped)]
        settings = self._settings()
        self.add_requests([self._request(o, settings, start_paused) for o in fresh])

    def _stopped_by_name(self) -> dict[str, DownloadSnapshot]:
        """The paused or failed downloads whose address a link may renew, by file name
        (the first in the list where two share one)."""
        model = self._model
        stopped: dict[str, DownloadSnapshot] = {}
        for row in range(model.rowCount()):
            snapshot = model.snapshot_at(row)
            name = snapshot.record.filename
            if name is not None and snapshot.state.is_stopped:
                stopped.setdefault(name, snapshot)
        return stopped

    def _renewed(self, offer: Offer, stopped: dict[str, DownloadSnapshot]) -> bool:
        """Whether ``offer`` was taken as a stopped download's new address (or dropped)."""
        match = stopped.get(offer.filename or display_name_for_url(offer.url))
        if match is None:
            return False
        choice = ask_update_existing(self._window, match)
        if choice is None:
            return True
        if not choice:
            return False
        record = match.record
        carry = ask_carry_secrets(self._window, record, offer.url)
        if carry is None:
            return True
        if carry or same_origin(offer.url, record.url):
            headers = merge_headers(record.headers, offer.headers()) if offer.headers() else None
        else:  # another site: only what the browser gave for the new link
            headers = offer.headers()
        task = partial(self._engine.refresh, match.id, offer.url, headers, carry_secrets=carry)
        taken, refused = (
            partial(self._on_renew_taken, match),
            partial(self._on_renew_refused, offer),
        )
        self._runner.run(task, taken, refused)
        return True

    def _on_renew_taken(self, snapshot: DownloadSnapshot, _: object) -> None:
        self.message_posted.emit(
            f"{snapshot.record.display_name}: new address taken; going on", 8000
        )
        self._runner.run(partial(self._engine.resume, snapshot.id))

    def _on_renew_refused(self, offer: Offer, error: Exception) -> None:
        """Not the same file: said, and the link offered in the Add dialog to add anew."""
        self.message_posted.emit(f"Not renewed: {error}", 15000)
        self.offer([offer])

    @staticmethod
    def _request(offer: Offer, settings: Settings, paused: bool) -> DownloadRequest:
        return DownloadRequest(
            offer.url,
            settings.download_dir,
            filename=offer.filename or None,
            connections=settings.connections,
            headers=offer.headers(),
            start_paused=paused,
            folder_rule=settings.category_folders,
        )

    def add_requests(self, requests: Sequence[DownloadRequest]) -> None:
        """Add ``requests``, each with its site's defaults (read off the GUI thread: a
        saved password may come from the desktop's keyring), in one engine call: a list of
        1,000 pasted links is one store transaction, not 1,000 synced ones."""
        if requests:
            default = self._settings().connections
            self._runner.run(partial(self._add_all, list(requests), default))

    def _add_all(self, requests: list[DownloadRequest], default_connections: int) -> None:
        """On the command runner. The engine takes all or none: if it refuses one (a
        proxy it cannot use, a folder gone), each is added alone, so the others go in
        and each refusal is said on its own."""
        if self._sites is not None:
            requests = [self._sites.apply(r, default_connections) for r in requests]
        if len(requests) > 1:
            try:
                self._engine.add_many(requests)
                return
            except (DownloadError, ValueError) as error:
                log.info(
                    "a link of %d was refused (%s); adding them one by one", len(requests), error
                )
        for request in requests:
            try:
                self._engine.add(request)
            except (DownloadError, ValueError) as error:
                log.warning("a link was not added: %s", error)
                self.message_posted.emit(f"Not added: {error}", 8000)

    def receive_offers(self, offers: Sequence[Offer]) -> None:
        """Downloads handed over by another process (``rangeload URL``, the browser's
        host): checked, then queued or, when the user wants to be asked, offered."""
        good = []
        for offer in offers:
            try:
                good.append(replace(offer, url=validate_url(offer.url)))
            except InvalidURLError as error:
                self.message_posted.emit(f"Not added: {error}", 6000)
        if self._settings().ask_before_adding:
            self.offer(good)
        else:
            self.add_offers(good)

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
        self.offer([Offer(u) for u in urls])

    def offer(self, offers: Sequence[Offer]) -> None:
        """Open the Add dialog (without blocking) with ``offers`` filled in; links offered
        while it is open join it. What a browser said about them is kept for their
        requests."""
        if not offers:
            return
        self._offered.update({o.url: o for o in offers if o.headers() or o.filename})
        text = "\n".join(o.url for o in offers)
        dialog = self._offer
        if dialog is not None:
            dialog.add_text(text)
        else:
            dialog = self._offer = self._dialog(text)
            dialog.accepted.connect(partial(self._on_offer_accepted, dialog))
            dialog.finished.connect(self._on_offer_finished)
            dialog.open()
        for o in offers:
            if o.referrer or o.filename:
                dialog.note_origin(o.url, o.referrer, o.filename)

    def _dialog(self, text: str = "") -> AddDialog:
        settings = self._settings()
        return AddDialog(
            settings.download_dir,
            self.listed_urls(),
            text,
            self._window,
            connections=settings.connections,
            sort_into=settings.category_folders,
        )

    def _on_offer_accepted(self, dialog: AddDialog) -> None:
        """The dialog's requests, each with what a browser said of its link."""
        requests = []
        for request in dialog.requests():
            offered = self._offered.get(request.url)
            if offered is not None:  # what the dialog's Advanced fields say wins
                headers = merge_headers(offered.headers(), request.headers)
                request = replace(
                    request, headers=headers, filename=request.filename or offered.filename
                )
            requests.append(request)
        self.add_requests(requests)

    def _on_offer_finished(self) -> None:
        self._offered.clear()
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
