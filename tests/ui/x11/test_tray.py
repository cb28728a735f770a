"""The tray icon docked in a real tray host: its tooltip, its menu clicked with the mouse,
closing to the tray, a notification balloon that opens the folder, and a click on the
icon that brings the window back. Run by tests/ui/test_tray_on_x11.py."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QMenu,
    QSystemTrayIcon,
    QWidget,
)
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.server.runner import ServerThread
from gui_app.ui.main_window import MainWindow
from gui_app.ui.settings_dialog import SettingsDialog
from gui_app.ui.tray import Tray, tray_for
from tests.engine.conftest import DataUrl
from tests.ui.modal import offer_shown
from tests.ui.opener import catching_opens
from tests.ui.rows import assert_row_completes


def top_level(class_name: str) -> QWidget | None:
    for widget in QApplication.topLevelWidgets():
        if widget.metaObject().className() == class_name and widget.isVisible():
            return widget
    return None


def docked_tray(qtbot: QtBot, window: MainWindow) -> tuple[Tray, QSystemTrayIcon]:
    """A Tray whose icon the tray host has embedded (it then has a place on the screen)."""
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=10_000)
    leftover = top_level("QBalloonTip")  # an earlier test's, shown for 8 s
    if leftover is not None:
        leftover.close()
        qtbot.waitUntil(lambda: top_level("QBalloonTip") is None)
    tray = tray_for(window)
    assert tray.icon is not None
    assert window.tray_available
    icon = tray.icon
    qtbot.waitUntil(lambda: not icon.geometry().isEmpty(), timeout=10_000)
    return tray, icon


def click_menu_item(qtbot: QtBot, menu: QMenu, text: str) -> None:
    menu.popup(QPoint(100, 100))
    qtbot.waitExposed(menu)
    (action,) = [a for a in menu.actions() if a.text().replace("&", "") == text]
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


def test_the_tray_shows_the_downloads_and_its_menu_drives_them(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    _tray, icon = docked_tray(qtbot, window)
    menu = icon.contextMenu()
    assert menu is not None
    names = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert names == ["Show/Hide", "Pause all", "Resume all", "Slow mode", "Quit"]
    qtbot.waitUntil(lambda: icon.toolTip() == "Rangeload: idle", timeout=3000)
    settings = SettingsDialog(window.settings, window)
    assert settings.close_to_tray.isEnabled()
    assert settings.close_to_tray.text() == "Closing the window keeps Rangeload in the tray"

    window.links.add_urls([data_url("&rate=150K")])  # per connection: about 5 s in all
    active = re.compile(r"Rangeload: 1 active, [\d.]+ (B|KiB|MiB)/s")
    qtbot.waitUntil(lambda: active.fullmatch(icon.toolTip()) is not None, timeout=10_000)
    assert window.model.snapshot_at(0).state is DownloadState.RUNNING

    click_menu_item(qtbot, menu, "Pause all")
    qtbot.waitUntil(lambda: window.model.snapshot_at(0).state is DownloadState.PAUSED)
    qtbot.waitUntil(lambda: icon.toolTip() == "Rangeload: idle", timeout=3000)
    click_menu_item(qtbot, menu, "Resume all")
    assert_row_completes(qtbot, window, source)


def test_closing_to_the_tray_keeps_downloading_and_the_icon_brings_it_back(
    data_url: DataUrl,
    qtbot: QtBot,
    window: MainWindow,
    server: ServerThread,
    source: Path,
    tmp_path: Path,
) -> None:
    window.apply_settings(replace(window.settings, close_to_tray=True))
    _tray, icon = docked_tray(qtbot, window)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    ended: list[bool] = []
    app.lastWindowClosed.connect(lambda: ended.append(True))
    with catching_opens() as opener:
        window.links.add_urls([data_url("&rate=400K")])
        qtbot.waitUntil(lambda: window.model.rowCount() == 1)
        window.close()
        assert not window.isVisible()

        # A dialog opened and closed while the window is in the tray must not end the app.
        window.links.offer_urls([f"{server.url}/files/data.bin?key=offered"])
        qtbot.waitUntil(lambda: offer_shown(window))
        assert window.links.offer_dialog is not None
        window.links.offer_dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
        qtbot.waitUntil(lambda: window.links.offer_dialog is None)
        assert not window.isVisible()

        # The download goes on in the tray; its balloon, clicked, opens the folder.
        assert_row_completes(qtbot, window, source)
        qtbot.waitUntil(lambda: top_level("QBalloonTip") is not None, timeout=5000)
        balloon = top_level("QBalloonTip")
        assert balloon is not None
        with qtbot.waitSignal(icon.messageClicked, timeout=3000):
            qtbot.mouseClick(balloon, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
        assert opener.opened == [QUrl.fromLocalFile(str(tmp_path))]

        # A click on the docked icon shows the window again; another hides it.
        sys_icon = top_level("QSystemTrayIconSys")
        assert sys_icon is not None
        qtbot.mouseClick(sys_icon, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        qtbot.waitUntil(window.isVisible)
        qtbot.mouseClick(sys_icon, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
        qtbot.waitUntil(lambda: not window.isVisible())
        assert ended == []
