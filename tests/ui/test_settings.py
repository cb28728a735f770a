"""Settings: kept across restarts, validated in the dialog, applied at once to the engine."""

from __future__ import annotations

import os
from dataclasses import fields
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from gui_app.app.schedule import Schedule
from gui_app.app.settings import SETTINGS_KEY, ProxyMode, Settings
from gui_app.browser.install import HOST_NAME, extension_folder
from gui_app.engine import Category
from gui_app.engine.api.models import DownloadState
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ui.browser_panel import BrowserPanel
from gui_app.ui.main_window import MainWindow
from gui_app.ui.settings_dialog import SettingsDialog
from tests.engine.conftest import DataUrl


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    chosen = Settings(
        tmp_path,
        max_concurrent=5,
        connections=4,
        speed_limit=2 << 20,
        notifications=False,
        close_to_tray=True,
        resume_on_start=False,
        ask_before_adding=True,
        watch_clipboard=True,
        proxy_mode=ProxyMode.MANUAL,
        proxy_url="socks5h://u:p@127.0.0.1:1080",
        sort_into_folders=False,
        slow_mode=True,
        slow_limit=64 * 1024,
        ca_file=tmp_path / "ca.pem",
        schedule=Schedule(time(1, 30), time(7), frozenset({0, 4}), 1 << 20),
        categories=(Category("Films", ("MKV",), ("*://v/*",), "/f"),),
    )
    assert all(
        getattr(chosen, f.name) != f.default for f in fields(Settings) if f.name != "download_dir"
    )  # every setting is exercised
    chosen.save(store)
    store.close()
    reopened = Store(tmp_path / "s.sqlite3")
    assert Settings.load(reopened, Path("/elsewhere")) == chosen
    reopened.close()


def test_damaged_settings_fall_back_to_defaults(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.set_setting(SETTINGS_KEY, '{"max_concurrent": 0}')
    assert Settings.load(store, tmp_path) == Settings(tmp_path)
    assert "could not be read" in caplog.text
    store.set_setting(SETTINGS_KEY, "not json")
    assert Settings.load(store, tmp_path) == Settings(tmp_path)
    store.close()


def test_dialog_reads_and_validates(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SettingsDialog(Settings(tmp_path, speed_limit=1 << 20))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.speed_limit.text() == "1.0 MiB"
    dialog.speed_limit.setText("fast")
    assert not ok.isEnabled()
    assert "Speed limit" in dialog.problem.text()
    dialog.speed_limit.setText("")
    dialog.max_concurrent.setValue(7)
    dialog.close_to_tray.setChecked(True)
    dialog.watch_clipboard.setChecked(True)
    dialog.ask_before_adding.setChecked(True)
    assert ok.isEnabled()
    result = dialog.settings()
    assert (result.speed_limit, result.max_concurrent, result.close_to_tray) == (None, 7, True)
    assert (result.watch_clipboard, result.ask_before_adding) == (True, True)
    dialog.folder_edit.setText(str(tmp_path / "missing"))
    assert not ok.isEnabled()


def test_the_proxy_setting_none_the_systems_or_one(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("https_proxy", "http://me:secret@10.1.2.3:3128")
    dialog = SettingsDialog(Settings(tmp_path))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.proxy_mode.currentData() is ProxyMode.SYSTEM  # the default
    assert dialog.proxy_mode.currentText() == "The system's (10.1.2.3:3128)"  # no password
    assert not dialog.proxy_url.isEnabled()
    dialog.proxy_mode.setCurrentIndex(dialog.proxy_mode.findData(ProxyMode.MANUAL))
    assert dialog.proxy_url.isEnabled()
    dialog.proxy_url.setText("ftp://127.0.0.1:21")
    assert not ok.isEnabled()
    assert "a proxy is http://, https://, socks5://" in dialog.problem.text()
    dialog.proxy_url.setText("socks5://127.0.0.1:1080")
    assert ok.isEnabled()
    chosen = dialog.settings()
    assert chosen.proxies({}).proxy_for("https://example.org/f") == "socks5://127.0.0.1:1080"
    system = Settings(tmp_path).proxies({"https_proxy": "10.0.0.1:8080", "no_proxy": "lan"})
    assert system.proxy_for("https://example.org/f") == "http://10.0.0.1:8080"
    assert system.proxy_for("https://lan/f") is None
    assert Settings(tmp_path, proxy_mode=ProxyMode.NONE).proxies(os.environ).routes == ()


def test_close_to_tray_says_when_the_desktop_has_no_tray(qtbot: QtBot, tmp_path: Path) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen (tests/ui/x11 has one)
    dialog = SettingsDialog(Settings(tmp_path, close_to_tray=True))
    qtbot.addWidget(dialog)
    assert not dialog.close_to_tray.isEnabled()
    assert dialog.close_to_tray.text().endswith("(this desktop has no tray)")
    assert dialog.settings().close_to_tray  # kept for a desktop that has one


def test_settings_apply_at_once_and_are_saved(
    data_url: DataUrl,
    qtbot: QtBot,
    manager: DownloadManager,
    tmp_path: Path,
    store: Store,
) -> None:
    window = MainWindow(manager, tmp_path, poll_ms=50, store=store)
    qtbot.addWidget(window)
    window.apply_settings(Settings(tmp_path, max_concurrent=1, connections=2))
    window.links.add_urls([data_url("&rate=1M") for _ in range(2)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    for _ in range(10):
        qtbot.wait(100)
        running = [s for s in manager.snapshot() if s.state is DownloadState.RUNNING]
        assert len(running) <= 1
    assert all(s.record.connections == 2 for s in manager.snapshot())
    qtbot.waitUntil(lambda: Settings.load(store, Path("/x")).max_concurrent == 1, timeout=2000)
    window.close()


def test_the_browser_panel_shows_each_browser_and_installs(
    qtbot: QtBot, tmp_path: Path, data_dir: Path
) -> None:
    home = tmp_path / "home"
    (home / ".config/vivaldi").mkdir(parents=True)  # a browser found on this machine
    panel = BrowserPanel(home)
    qtbot.addWidget(panel)
    assert panel.states.text().splitlines() == [
        "Chromium: not installed",
        "Firefox: not installed",
        "Vivaldi: not installed",
    ]
    assert "manifest.json" not in panel.extension.text()
    assert str(extension_folder()) in panel.extension.text()
    assert panel.install_button.isEnabled()
    qtbot.mouseClick(panel.install_button, Qt.MouseButton.LeftButton)
    assert panel.states.text().splitlines() == [
        "Chromium: installed",
        "Firefox: installed",
        "Vivaldi: installed",
    ]
    assert not panel.install_button.isEnabled()
    assert (home / ".config/vivaldi/NativeMessagingHosts" / f"{HOST_NAME}.json").exists()
