"""Answering a modal dialog from a test, as a user clicking its button would."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication

from gui_app.ui.main_window import MainWindow

__all__ = ["answer_next_question", "offer_shown"]


def answer_next_question(button_text: str) -> None:
    """Click ``button_text`` in the next modal dialog, as a user would."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(50, click)
            return
        buttons = box.findChildren(QAbstractButton)
        for button in buttons:
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"no {button_text!r} among {[b.text() for b in buttons]}")

    QTimer.singleShot(50, click)


def offer_shown(window: MainWindow) -> bool:
    """Is the Add dialog with offered links open and visible?"""
    dialog = window.links.offer_dialog
    return dialog is not None and dialog.isVisible()
