"""The tray on a real X server: starts Xvfb and the trayer tray host (Debian's xvfb and
trayer, which .ci/run installs), then runs tests/ui/x11 in a pytest of its own on Qt's xcb
platform, since this process's QApplication is offscreen and has no tray."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh Xvfb screen with trayer owning its system tray; yields ``:N``."""
    xvfb, trayer = shutil.which("Xvfb"), shutil.which("trayer")
    missing = "needs Xvfb and trayer: apt-get install xvfb trayer (.ci/run does)"
    assert xvfb, missing
    assert trayer, missing
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=[write_end],
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        name = f":{announced.readline().strip()}"
    assert name != ":", "Xvfb did not start"
    host = subprocess.Popen(
        [
            trayer,
            "--edge",
            "top",
            "--align",
            "right",
            "--widthtype",
            "pixel",
            "--width",
            "200",
            "--height",
            "24",
        ],
        env={**os.environ, "DISPLAY": name},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield name
    finally:
        for process in (host, server):
            process.terminate()
            process.wait(timeout=10)


def test_the_tray_on_a_real_x_server(display: str) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # the XEmbed tray, not a desktop's D-Bus one
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            str(ROOT / "tests" / "ui" / "x11"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "2 passed" in output, output
