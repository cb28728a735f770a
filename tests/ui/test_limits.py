"""Speed limits in the app: one in the Add dialog, one set on running downloads with their
connections (Ctrl+L), and slow mode (the toolbar's and the tray's), which brings the total
down to its own limit and back. Real engine and server; files SHA-256 equal."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl
from tests.ui.modal import press_shortcut
from tests.ui.rows import assert_row_completes


def test_the_add_dialog_sets_a_speed_limit(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    window.links.offer_urls([data_url()])
    dialog = window.links.offer_dialog
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.speed_limit.setText("fast")
    assert not ok.isEnabled()
    assert "Speed limit" in dialog.problems.text()
    dialog.speed_limit.setText("4M")
    ok.click()
    assert_row_completes(qtbot, window, source)
    assert window.model.snapshot_at(0).record.rate_limit == 4 << 20


def test_limits_and_connections_change_on_running_downloads(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    window.links.add_urls([data_url("&rate=2M")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.RUNNING, timeout=10_000
    )
    window.view.selectRow(0)
    press_shortcut(window, window.limits_action.shortcut())
    dialog = window.list_actions.limits_dialog
    assert dialog is not None
    dialog.speed_limit.setText("3M")
    dialog.connections.setValue(2)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.model.snapshot_at(0).record.connections == 2, timeout=5000)
    qtbot.waitUntil(lambda: window.model.snapshot_at(0).record.rate_limit == 3 << 20, timeout=5000)
    assert_row_completes(qtbot, window, source)


def test_slow_mode_brings_the_total_down_and_back(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    window.apply_settings(replace(window.settings, slow_limit=512 * 1024), save=False)
    window.links.add_urls([data_url()])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.slow_mode_action.trigger()  # as from the toolbar or the tray
    assert window.settings.slow_mode
    assert window.slow_mode_action.isChecked()
    qtbot.wait(1000)
    first, started = window.manager.get(window.model.snapshot_at(0).id), time.monotonic()
    qtbot.wait(3000)
    second = window.manager.get(window.model.snapshot_at(0).id)
    assert first is not None
    assert second is not None
    assert second.state is DownloadState.RUNNING
    rate = (second.done_bytes - first.done_bytes) / (time.monotonic() - started)
    assert 0.85 * 512 * 1024 <= rate <= 1.1 * 512 * 1024, rate
    window.slow_mode_action.trigger()
    assert not window.settings.slow_mode
    assert_row_completes(qtbot, window, source, timeout=20_000)
