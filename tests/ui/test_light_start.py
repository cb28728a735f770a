"""The window starts without the server's or HTTP's stacks (issue 12): a fresh interpreter
starts the app as ``run_window`` does (its engine process, the window and the tray, shown)
and lists what it imported. The engine process imports httpx; the window never does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("fastapi", "starlette", "uvicorn", "httpx", "httpcore", "anyio", "pydantic")

START = """
import json, sys, time
started = time.perf_counter()
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui_app.ui.app import create_manager
from gui_app.ui.main_window import MainWindow
from gui_app.app.settings import Settings
from gui_app.ui.tray import tray_for
from pathlib import Path
{extra}
settings = Settings(download_dir=Path(sys.argv[1]))
manager = create_manager(settings)
manager.start(resume_running=False)
window = MainWindow(manager, settings.download_dir, settings=settings)
tray = tray_for(window)
window.show()
app.processEvents()
shown = time.perf_counter() - started
# a None entry is a module marked "not importable" (gui_app.engine does so), not imported
heavy = sorted({{m.split(".")[0] for m, v in sys.modules.items() if v is not None}}
               & set({heavy!r}))
window.close()
manager.shutdown()
print(json.dumps({{"heavy": heavy, "shown": shown}}))
"""


def start(tmp_path: Path, extra: str = "") -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", RANGELOAD_DATA_DIR=str(tmp_path / "d"))
    result = subprocess.run(
        [sys.executable, "-c", START.format(extra=extra, heavy=HEAVY), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return outcome


def test_the_window_starts_without_server_or_http_stacks(tmp_path: Path) -> None:
    assert start(tmp_path)["heavy"] == []


@pytest.mark.parametrize("module", ["gui_app.server.runner", "gui_app.engine.process.host"])
def test_the_check_sees_a_heavy_import(tmp_path: Path, module: str) -> None:
    """The same start, with one import that the window must not make, is caught."""
    assert start(tmp_path, f"import {module}")["heavy"] != []
