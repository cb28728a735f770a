"""When all downloads are done: after the countdown, suspend and power off go to
systemd-logind over the system bus (here a private bus with a fake login1 that records
each call, via the standard DBUS_SYSTEM_BUS_ADDRESS: never the real machine); Cancel
stops it; quit quits. Real engine and server; the file is SHA-256 equal to its source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gui_app.ui.main_window import MainWindow
from gui_app.ui.when_done import AfterAll
from tests.engine.conftest import DataUrl
from tests.kit.processes import stop_group
from tests.kit.waiting import wait_until
from tests.ui.rows import assert_row_completes

DBUS_DAEMON = shutil.which("dbus-daemon")
pytestmark = pytest.mark.skipif(DBUS_DAEMON is None, reason="needs Debian's dbus-daemon")


@pytest.fixture(scope="module")
def logind(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The calls file of a fake login1 on a private bus that Qt takes for the system bus."""
    assert DBUS_DAEMON is not None
    calls = tmp_path_factory.mktemp("logind") / "calls.txt"
    bus = subprocess.Popen(
        [DBUS_DAEMON, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.kit.fake_logind", address, str(calls)], start_new_session=True
    )
    wait_until(
        lambda: calls.exists() and calls.read_text().startswith("ready"),
        10,
        what="the fake login1 ready",
    )
    previous = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = address  # read when Qt first opens the bus
    try:
        yield calls
    finally:
        if previous is None:
            os.environ.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = previous
        stop_group(fake)
        stop_group(bus)
        bus.stdout.close()


def finish_one(qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path) -> None:
    window.links.add_urls([data_url("&rate=1M")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert_row_completes(qtbot, window, source)


def test_suspend_is_asked_of_logind_after_the_countdown(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path, logind: Path
) -> None:
    window.when_done.countdown = 2
    suspend = window.when_done.actions[list(AfterAll).index(AfterAll.SUSPEND)]
    suspend.trigger()  # Tools > When all downloads are done > Suspend
    assert suspend.isChecked()
    with qtbot.waitSignal(window.when_done.countdown_started, timeout=30_000):
        finish_one(qtbot, window, data_url, source)
    box = window.when_done.box
    assert box is not None
    assert box.text() == "Suspend in 2 s. Cancel to stay."
    qtbot.waitUntil(lambda: "Suspend False" in logind.read_text(), timeout=10_000)
    assert window.when_done.choice is AfterAll.NOTHING  # carried out once, not again


def test_cancel_stops_the_power_off(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path, logind: Path
) -> None:
    before = logind.read_text()
    window.when_done.countdown = 2
    window.when_done.choose(AfterAll.POWER_OFF)
    with qtbot.waitSignal(window.when_done.countdown_started, timeout=30_000):
        finish_one(qtbot, window, data_url, source)
    box = window.when_done.box
    assert box is not None
    box.reject()  # Cancel
    qtbot.wait(3000)
    assert logind.read_text() == before
    assert window.when_done.choice is AfterAll.NOTHING
