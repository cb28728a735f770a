"""The foundation's promises: the version, the entry points, and no Qt outside gui_app/ui."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

import gui_app
from gui_app.ground import paths

NO_QT_CHECK = """
import importlib, pkgutil, sys
import gui_app.app, gui_app.engine, gui_app.ground, gui_app.server
for package in (gui_app.app, gui_app.engine, gui_app.ground, gui_app.server):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
import gui_app.cli, gui_app.commands.serve, gui_app.commands.get
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print("LEAKED", leaked)
sys.exit(1 if leaked else 0)
"""


def test_engine_and_server_never_import_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", NO_QT_CHECK], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LEAKED []" in result.stdout


def test_the_check_above_can_fail() -> None:
    probe = "import sys, PySide6.QtCore; " + NO_QT_CHECK.split("print(", 1)[0].split("\n", 2)[2]
    probe += (
        "\nleaked=[m for m in sys.modules if m.startswith('PySide6')]\nsys.exit(1 if leaked else 0)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=False)
    assert result.returncode == 1


@pytest.mark.parametrize("argv", [["rangeload"], [sys.executable, "-m", "gui_app"]])
def test_version(argv: list[str]) -> None:
    if argv == ["rangeload"]:
        argv = [str(Path(sys.executable).with_name("rangeload"))]
    result = subprocess.run([*argv, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"rangeload {gui_app.__version__}"


def test_data_dir_honours_the_override(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "state"
    assert paths.data_dir({"RANGELOAD_DATA_DIR": str(target)}) == target
    assert target.is_dir()


def test_every_option_of_every_command_says_what_it_does() -> None:
    """``--help`` gives each flag and argument a description (issue 25, item 7), and the
    bound it names for connections is the engine's own."""
    from gui_app.cli import build_parser
    from gui_app.engine.api.models import MAX_CONNECTIONS

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    hidden = {"native-host", "engine-host"}
    silent = []
    for name, command in commands.choices.items():
        if name in hidden:
            continue
        for action in command._actions:
            if not isinstance(action, argparse._HelpAction) and not action.help:
                silent.append(f"{name} {action.option_strings or action.dest}")
    assert silent == []
    get = commands.choices["get"]
    (connections,) = [a for a in get._actions if "-c" in a.option_strings]
    assert f"1 to {MAX_CONNECTIONS} (default {connections.default})" in str(connections.help)
