"""Notifications for completed and failed downloads, with or without a system tray."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from gui_app.server.runner import ServerThread
from gui_app.ui.main_window import MainWindow
from gui_app.ui.tray import tray_for
from tests.engine.conftest import DataUrl


def test_completion_and_failure_are_notified(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, server: ServerThread
) -> None:
    tray = tray_for(window)
    with qtbot.waitSignal(tray.notification_sent, timeout=30_000) as done:
        window.links.add_urls([data_url()])
    title, message = done.args
    assert title == "Download complete"
    assert "data.bin (6.0 MiB)" in message
    if tray.icon is None:  # offscreen: no tray, the status bar carries it
        assert "Download complete" in window.statusBar().currentMessage()
    with qtbot.waitSignal(tray.notification_sent, timeout=30_000) as failed:
        window.links.add_urls([f"{server.url}/files/nothing-here.bin"])
    assert failed.args[0] == "Download failed"
    assert "not found (404)" in failed.args[1]


def test_notifications_can_be_turned_off(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow
) -> None:
    tray = tray_for(window, notifications=False)
    with qtbot.waitSignal(tray.notification_sent, timeout=30_000):
        window.links.add_urls([data_url()])
    assert window.statusBar().currentMessage() == ""
    qtbot.waitUntil(lambda: window.model.summary().active == 0, timeout=5000)
    assert tray.tooltip() == "Rangeload: idle"  # nothing runs once it is notified
