"""Every control has an accessible name and a way in by keyboard; the window follows the
palette it is given and renders at a high-DPI scale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QMenu,
    QToolBar,
    QWidget,
    QWidgetAction,
)
from pytestqt.qtbot import QtBot

from gui_app.app.settings import Settings
from gui_app.engine.api.models import DownloadState
from gui_app.ui.add_dialog import AddDialog
from gui_app.ui.main_window import MainWindow
from gui_app.ui.settings_dialog import SettingsDialog
from tests.engine.conftest import DataUrl

ROOT = Path(__file__).resolve().parents[2]


def unnamed_controls(top: QWidget) -> list[str]:
    """Keyboard-focusable, visible controls whose accessible name is empty."""
    missing = []
    for widget in top.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(top):
            continue
        if isinstance(widget.parent(), QAbstractSpinBox):
            continue  # a spin box's own line edit: the spin box carries the name
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return missing


def test_every_control_has_an_accessible_name(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.links.add_urls([data_url("&status=404")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.FAILED, timeout=10_000
    )
    window.view.selectRow(0)
    assert window.details.retry.isVisibleTo(window)  # the failed one's retry button is counted
    add = AddDialog(tmp_path, parent=window)
    settings = SettingsDialog(Settings(tmp_path), window)
    for top in (window, add, settings):
        top.show()
        assert unnamed_controls(top) == [], type(top).__name__


def test_every_action_is_in_a_menu_with_a_keyboard_path(window: MainWindow) -> None:
    menus = [m for a in window.menuBar().actions() if isinstance(m := a.menu(), QMenu)]
    assert all("&" in action.text() for action in window.menuBar().actions())  # Alt+letter
    in_menus = {a for menu in menus for a in menu.actions()}
    toolbar_actions = {
        a
        for bar in window.findChildren(QToolBar)
        for a in bar.actions()
        if not a.isSeparator() and not isinstance(a, QWidgetAction)
    }
    assert toolbar_actions
    assert toolbar_actions <= in_menus  # nothing is reachable by mouse only
    shortcuts = {a.text(): a.shortcut().toString() for a in in_menus}
    assert shortcuts["&Add…"] == "Ctrl+N"
    assert shortcuts["Re&move…"] == "Del"
    assert shortcuts["&Paste URLs"] == "Ctrl+V"
    assert shortcuts["&Search"] == "Ctrl+F"  # the toolbar's search box, by keyboard


def test_tab_reaches_the_list_and_the_details(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow
) -> None:
    window.links.add_urls([data_url("&status=404")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.FAILED, timeout=10_000
    )
    window.activateWindow()
    window.view.setFocus()
    window.view.selectRow(0)
    reached = set()
    for _ in range(6):
        reached.add(QApplication.focusWidget())
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert window.view in reached
    assert window.details.retry in reached


def test_the_window_follows_a_dark_palette(qtbot: QtBot, window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = app.palette()
    dark = QPalette(light)
    role = QPalette.ColorRole
    for name, color in ((role.Base, "#141618"), (role.Window, "#202326"), (role.Text, "#e6e6e6")):
        dark.setColor(name, QColor(color))

    def corner_lightness() -> int:  # an empty part of the table: the palette's Base
        image = window.view.viewport().grab().toImage()
        return image.pixelColor(image.width() - 5, image.height() - 5).lightness()

    assert corner_lightness() > 200  # the default palette is light
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: corner_lightness() < 60, timeout=2000)
    finally:
        app.setPalette(light)


def test_the_window_renders_at_twice_the_scale(tmp_path: Path) -> None:
    probe = (
        "import sys; from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from gui_app.engine.manager.scheduler import DownloadManager\n"
        "from gui_app.engine.disk.store import Store\n"
        "from gui_app.ui.main_window import MainWindow\n"
        "m = DownloadManager(Store(Path(sys.argv[1]) / 's.sqlite3')); m.start()\n"
        "w = MainWindow(m, Path(sys.argv[1])); w.resize(800, 500); w.show(); app.processEvents()\n"
        "shot = w.grab()\n"
        "icon = w.add_action.icon().pixmap(16, 16)\n"
        "print(shot.devicePixelRatio(), shot.width(), icon.devicePixelRatio(), icon.width())\n"
        "w.close(); m.shutdown()\n"
    )
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QT_SCALE_FACTOR": "2",
        "RANGELOAD_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    ratio, width, icon_ratio, icon_width = result.stdout.split()
    assert float(ratio) == 2.0
    assert int(width) == 1600  # every logical pixel drawn as four
    assert float(icon_ratio) == 2.0
    assert int(icon_width) == 32  # the SVG icon rendered sharp at 32 px, not scaled up
