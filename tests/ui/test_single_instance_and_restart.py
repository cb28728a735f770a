"""A second ``rangeload URL`` hands over to the running app; a restart restores the list."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ground import paths
from gui_app.handover import socket_path
from gui_app.ui.main_window import MainWindow
from gui_app.ui.single_instance import SingleInstance
from tests.engine.conftest import DataUrl, Managers
from tests.ui.modal import answer_next_question
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
    instance = SingleInstance(socket_path(paths.data_dir()))
    assert instance.listen()
    instance.offers_received.connect(window.receive_offers)
    url = data_url()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    second = subprocess.Popen(
        [RANGELOAD, url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
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


@pytest.mark.parametrize("choice", ["Update the existing download", "Cancel"])
def test_a_link_that_asks_a_question_frees_its_caller_at_once(
    data_url: DataUrl, qtbot: QtBot, manager: DownloadManager, tmp_path: Path, choice: str
) -> None:
    """A handed-over link named like a failed download makes the app ask; the caller has
    its answer first (exit 0 within a second), and the app lives on after the question."""
    window = MainWindow(manager, tmp_path, poll_ms=50)
    qtbot.addWidget(window)
    window.show()
    instance = SingleInstance(socket_path(paths.data_dir()))
    assert instance.listen()
    instance.offers_received.connect(window.receive_offers)
    window.links.add_urls([data_url("&rate=2M&drop_after=500000&html_after=1")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.FAILED, timeout=30_000
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    ended: list[float] = []

    def answer_once_the_caller_ended() -> None:
        if second.poll() is None:
            QTimer.singleShot(20, answer_once_the_caller_ended)
            return
        ended.append(time.monotonic() - started)
        answer_next_question(choice)  # the question is open while the caller has ended

    started = time.monotonic()
    second = subprocess.Popen(
        [RANGELOAD, data_url()], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    answer_once_the_caller_ended()
    qtbot.waitUntil(
        lambda: bool(ended) and QApplication.activeModalWidget() is None, timeout=15_000
    )
    _, err = second.communicate()
    assert second.returncode == 0, err
    assert ended[0] < 3.0  # the process's own start-up included; the hand-over is the rest
    qtbot.wait(500)
    assert window.isVisible()
    again: list[bool] = []
    threading.Thread(
        target=lambda: again.append(SingleInstance.hand_over(instance.path, []).taken), daemon=True
    ).start()
    qtbot.waitUntil(lambda: bool(again), timeout=5000)
    assert again == [True]  # it still answers
    window.close()
