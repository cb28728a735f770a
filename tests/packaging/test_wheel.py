"""The wheel holds everything the app needs: build it, install it into a fresh virtualenv,
and run the CLI and the GUI (offscreen) from there, away from this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from gui_app import __version__

ROOT = Path(__file__).resolve().parents[2]

START_AND_QUIT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import gui_app.resources as resources
assert "site-packages" in str(resources.resource_path("icons", "rangeload.svg")), "not the wheel's"
app = QApplication(sys.argv[:1])
QTimer.singleShot(1500, app.quit)
from gui_app.ui.app import run_window
sys.exit(run_window([]))
"""


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
    )
    [wheel] = dist.glob("rangeload-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True)
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    clean_env.update(QT_QPA_PLATFORM="offscreen", RANGELOAD_DATA_DIR=str(tmp_path / "data"))
    version = subprocess.run(
        [str(env_dir / "bin" / "rangeload"), "--version"],
        cwd=tmp_path,
        env=clean_env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == f"rangeload {__version__}"
    gui = subprocess.run(
        [str(python), "-c", START_AND_QUIT],
        cwd=tmp_path,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert gui.returncode == 0, gui.stderr
