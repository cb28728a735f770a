"""Links from outside the window: a drop, a paste, or (when the user turns it on) any
copy to the clipboard. Only http and https links that pass the engine's URL check."""

from __future__ import annotations

import re

from PySide6.QtCore import QMimeData, QObject, Signal
from PySide6.QtGui import QGuiApplication

from gui_app.engine import InvalidURLError, validate_url

__all__ = ["ClipboardWatcher", "links_in_text", "urls_from_mime"]

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?"  # sentence punctuation after a link is not part of it


def links_in_text(text: str) -> list[str]:
    """http(s) links in running text, without the punctuation that ends a sentence or a
    closing bracket the link did not open: "see (https://a.example/x.iso)." gives the link."""
    found = []
    for match in _URL_IN_TEXT.findall(text):
        link = match.rstrip(_TRAILING)
        while (
            link
            and link[-1] in ")]}"
            and link.count(link[-1]) > link.count({")": "(", "]": "[", "}": "{"}[link[-1]])
        ):
            link = link[:-1].rstrip(_TRAILING)
        found.append(link)
    return found


def urls_from_mime(mime: QMimeData) -> list[str]:
    """http(s) URLs from a drop or the clipboard: ``text/uri-list`` first, else any text."""
    found: list[str] = []
    if mime.hasUrls():
        found = [u.toString() for u in mime.urls() if u.scheme().lower() in ("http", "https")]
    if not found and mime.hasText():
        found = links_in_text(mime.text())
    unique: list[str] = []
    for url in found:
        try:
            valid = validate_url(url)
        except InvalidURLError:
            continue
        if valid not in unique:
            unique.append(valid)
    return unique


class ClipboardWatcher(QObject):
    """Announces links copied anywhere on the desktop while ``enabled``, each link once."""

    links_copied = Signal(list)  # list[str], new since the last announcement

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self._seen: set[str] = set()
        QGuiApplication.clipboard().dataChanged.connect(self._on_clipboard_data_changed)

    def _on_clipboard_data_changed(self) -> None:
        if not self.enabled:
            return
        mime = QGuiApplication.clipboard().mimeData()
        new = [u for u in (urls_from_mime(mime) if mime is not None else []) if u not in self._seen]
        if new:
            self._seen.update(new)
            self.links_copied.emit(new)
