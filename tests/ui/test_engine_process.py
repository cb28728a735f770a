"""The window over the app's real engine process: it works the same, and when that
process dies the window says so and stops offering what it can no longer do."""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.engine.process.remote import RemoteEngine
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl
from tests.ui.rows import assert_row_completes


def test_the_window_over_the_engine_process(
    data_url: DataUrl, qtbot: QtBot, source: Path, tmp_path: Path
) -> None:
    engine = RemoteEngine()
    engine.start()
    window = MainWindow(engine, tmp_path, poll_ms=50)
    qtbot.addWidget(window)
    window.show()
    try:
        window.links.add_urls([data_url("&rate=512K")])
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=10_000)
        qtbot.waitUntil(lambda: window.model.snapshot_at(0).done_bytes > 0, timeout=10_000)
        assert window.model.snapshot_at(0).speed > 0  # live figures came over the channel
        window.view.selectRow(0)
        qtbot.waitUntil(window.pause_action.isEnabled, timeout=2000)
        asked = time.monotonic()
        window.pause_action.trigger()
        qtbot.waitUntil(
            lambda: window.model.snapshot_at(0).state is DownloadState.PAUSED, timeout=2000
        )
        assert time.monotonic() - asked < 1.0  # the row says Paused within a second
        window.resume_action.trigger()
        assert_row_completes(qtbot, window, source)
        os.kill(engine.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: not window.add_action.isEnabled(), timeout=10_000)
        assert "ended unexpectedly" in window.statusBar().currentMessage()
        (box,) = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        assert "ended unexpectedly (exit status -9)" in box.text()
        assert not box.isModal()  # it must not hold up a quit
        box.button(QMessageBox.StandardButton.Ok).click()
        window.view.selectRow(0)
        assert not window.remove_action.isEnabled()  # selection does not bring them back
    finally:
        window.close()
        engine.shutdown()


def test_a_failed_command_is_shown_not_lost(
    qtbot: QtBot, window: MainWindow, manager: DownloadManager
) -> None:
    window.commands.run(partial(manager.resume, 424242))  # no such download
    qtbot.waitUntil(
        lambda: "resume failed" in window.statusBar().currentMessage().lower(), timeout=5000
    )
