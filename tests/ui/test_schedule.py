"""The schedule in the app, with the window's clock moved by the test: outside the hours
a new download waits queued and a running one goes back to the queue with its bytes;
inside them the queue runs at the hours' own speed limit. Real engine and server; the
file is SHA-256 equal to its source; the Settings tab edits the schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui_app.app.schedule import Schedule
from gui_app.engine.api.models import DownloadState
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl
from tests.ui.modal import settle
from tests.ui.rows import assert_row_completes

MONDAY = datetime(2026, 11, 30)


def test_the_queue_runs_only_in_its_hours(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    now = [MONDAY.replace(hour=0, minute=30)]
    window.schedule.clock = lambda: now[0]
    hours = Schedule(time(1), time(2), frozenset(range(7)), speed_limit=2 << 20)
    window.apply_settings(replace(window.settings, schedule=hours), save=False)
    assert window.schedule.held
    qtbot.waitUntil(lambda: "Queue runs 01:00-02:00" in window.status.text(), timeout=2000)
    assert window.status.text().endswith("starts 01:00")
    window.links.add_urls([data_url()])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    settle(qtbot, window)
    qtbot.wait(500)
    assert window.model.snapshot_at(0).state is DownloadState.QUEUED  # waiting for 01:00

    now[0] = MONDAY.replace(hour=1, minute=5)
    window.schedule.check()
    assert window.settings.global_limit_at(now[0]) == 2 << 20  # the hours' own limit
    assert window.settings.global_limit_at(MONDAY) is None
    qtbot.waitUntil(lambda: window.model.snapshot_at(0).done_bytes > 0, timeout=10_000)
    now[0] = MONDAY.replace(hour=2, minute=1)  # the hours end while it runs
    window.schedule.check()
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.QUEUED, timeout=10_000
    )
    kept = window.model.snapshot_at(0).done_bytes
    assert 0 < kept < source.stat().st_size  # stopped part-way, its bytes saved
    now[0] = MONDAY.replace(day=1, hour=1, minute=0)  # Tuesday's hours
    window.schedule.check()
    assert_row_completes(qtbot, window, source)


def test_the_schedule_is_set_in_settings(qtbot: QtBot, window: MainWindow) -> None:
    window.settings_action.trigger()
    dialog = window.preferences.dialog
    assert dialog is not None
    panel = dialog.schedule_panel
    panel.enabled.setChecked(True)
    for box in panel.days:
        box.setChecked(False)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    assert "Schedule: a schedule needs at least one day" in dialog.problem.text()
    panel.days[5].setChecked(True)
    panel.speed_limit.setText("5M")
    ok.click()
    assert window.settings.schedule == Schedule(time(1), time(7), frozenset({5}), 5 << 20)
