"""Answering a modal dialog from a test, as a user clicking its button would."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from gui_app.ui.main_window import MainWindow

__all__ = [
    "answer_next_input",
    "answer_next_question",
    "copy_to_clipboard",
    "offer_shown",
    "press_shortcut",
    "settle",
]


def answer_next_question(button_text: str) -> None:
    """Click ``button_text`` in the next modal dialog, as a user would."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if box is None or isinstance(box, QInputDialog):  # not yet the question
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


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until every command the window has asked for has run and its effects (engine
    events, queued before the barrier's answer) have reached the table: then a check that
    something did not happen is not a guess about timing."""
    done: list[bool] = []
    window.commands.run(lambda: None, lambda _: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)


def copy_to_clipboard(qtbot: QtBot, text: str) -> None:
    """Set the clipboard and wait for its change to be announced (the watcher's cue)."""
    clipboard = QGuiApplication.clipboard()
    with qtbot.waitSignal(clipboard.dataChanged, timeout=2000):
        clipboard.setText(text)


def answer_next_input(text: str) -> None:
    """Type ``text`` into the next modal input dialog and press OK, as a user would."""

    def fill() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            QTimer.singleShot(50, fill)
            return
        box.setTextValue(text)
        box.accept()

    QTimer.singleShot(50, fill)


def press_shortcut(widget: QWidget, keys: QKeySequence) -> None:
    """Type ``keys`` as a user would, then let go of every modifier: QTest's last event
    leaves Ctrl and Shift "held" for the application, and a later ``selectRow`` would
    then toggle or extend the selection instead of choosing one row."""
    QTest.keySequence(widget, keys)
    for key in (Qt.Key.Key_Control, Qt.Key.Key_Shift, Qt.Key.Key_Alt):
        QTest.keyRelease(widget, key, Qt.KeyboardModifier.NoModifier)
