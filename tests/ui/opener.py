"""Catch what the app asks the desktop to open, through Qt's own URL handler hook
(QDesktopServices.setUrlHandler), instead of starting a file manager."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

__all__ = ["Opener", "catching_opens"]


class Opener(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url)


@contextmanager
def catching_opens() -> Iterator[Opener]:
    """Within the block, ``file:`` URLs the app opens land in ``opener.opened``."""
    opener = Opener()
    # The stub says bytes; PySide6 at run time takes the slot's name only as str.
    QDesktopServices.setUrlHandler("file", opener, "open")  # type: ignore[arg-type]
    try:
        yield opener
    finally:
        QDesktopServices.unsetUrlHandler("file")
