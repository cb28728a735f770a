"""Started with no display, the app and the demo say so in one line, exit 1 and leave
nothing behind (before: Qt aborted with six lines and the demo's folder stayed)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from gui_app.display import display_problem

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))


def free_display_number() -> int:
    return next(n for n in range(150, 250) if not Path(f"/tmp/.X11-unix/X{n}").exists())


@pytest.mark.parametrize("command", [[], ["demo"], ["http://127.0.0.1:9/file.bin"]])
@pytest.mark.parametrize("display", [None, "unreachable"])
def test_no_display_is_one_plain_line(
    tmp_path: Path, command: list[str], display: str | None
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    if display is not None:
        env["DISPLAY"] = f":{free_display_number()}"
    temp = tmp_path / "tmp"
    temp.mkdir()
    env |= {"TMPDIR": str(temp), "RANGELOAD_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [RANGELOAD, *command], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rangeload: ")
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert list(temp.iterdir()) == []  # the demo's folder was never made


def test_what_counts_as_a_display(tmp_path: Path) -> None:
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({}) == "no display to show the window on (DISPLAY is not set)"
    assert display_problem({"DISPLAY": "nonsense"}) is not None
    # Something listening on an X socket path counts.
    path = tmp_path / "X0"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening:
        listening.bind(str(path))
        listening.listen(1)
        assert display_problem({"DISPLAY": f"{path}:0"}) is None
    assert display_problem({"DISPLAY": f"{path}:0"}) is not None
