"""A second ``rangeload URL`` hands over to the running app; a restart restores the list."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from gui_app import paths
from gui_app.engine.scheduler import DownloadManager
from gui_app.ui.main_window import MainWindow
from gui_app.ui.single_instance import SingleInstance, server_name
from tests.engine.conftest import DataUrl, Managers
from tests.ui.rows import assert_row_completes

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))


def test_a_second_process_hands_its_url_over(
    data_url: DataUrl,
    qtbot: QtBot,
    manager: DownloadManager,
    source: Path,
    tmp_path: Path,
) -> None:
    window = MainWindow(manager, tmp_path, poll_ms=50)
    qtbot.addWidget(window)
    instance = SingleInstance(server_name(paths.data_dir()))
    assert instance.listen()
    instance.offers_received.connect(window.receive_offers)
    url = data_url()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    second = subprocess.Popen([RANGELOAD, url], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)  # fmt: skip
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=15_000)
    _, err = second.communicate(timeout=15)
    assert second.returncode == 0, err
    assert_row_completes(qtbot, window, source)
    window.close()


def test_quit_and_restart_restore_the_list_and_finish(
    managers: Managers,
    data_url: DataUrl,
    qtbot: QtBot,
    data_dir: Path,
    source: Path,
    tmp_path: Path,
) -> None:
    first = managers()
    window = MainWindow(first, tmp_path, poll_ms=50)
    qtbot.addWidget(window)
    window.links.add_urls([data_url("&rate=1M")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    # Quit once some progress is saved (the store keeps it every 0.3 s here).
    qtbot.waitUntil(lambda: any(s.record.done_bytes > 0 for s in first.snapshot()), timeout=10_000)
    window.close()
    first.shutdown()
    second = managers()
    try:
        again = MainWindow(second, tmp_path, poll_ms=50)
        qtbot.addWidget(again)
        assert again.model.rowCount() == 1
        assert again.model.snapshot_at(0).done_bytes > 0
        assert_row_completes(qtbot, again, source)
        again.close()
    finally:
        second.shutdown()
