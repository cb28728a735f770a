"""The command runner: work off the GUI thread, its outcome back on it, failures shown."""

from __future__ import annotations

import threading
from functools import partial

import pytest
from pytestqt.qtbot import QtBot

from gui_app.ui.commands import CommandRunner, describe


def test_results_and_failures_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = CommandRunner()
    gui = threading.current_thread()
    ran_on: list[threading.Thread] = []
    done: list[tuple[int, threading.Thread]] = []
    failed: list[tuple[str, threading.Thread]] = []

    def work() -> int:
        ran_on.append(threading.current_thread())
        return 42

    def broken() -> int:
        raise OSError("disk on fire")

    runner.run(work, lambda result: done.append((result, threading.current_thread())))
    runner.run(broken, on_failed=lambda e: failed.append((str(e), threading.current_thread())))
    qtbot.waitUntil(lambda: bool(done and failed), timeout=5000)
    assert ran_on[0] is not gui
    assert done == [(42, gui)]
    assert failed == [("disk on fire", gui)]
    runner.shutdown()


def test_a_failure_nobody_handles_is_announced(qtbot: QtBot) -> None:
    runner = CommandRunner()

    def pause_all() -> None:
        raise RuntimeError("the engine process ended")

    with qtbot.waitSignal(runner.command_failed, timeout=5000) as failed:
        runner.run(pause_all)
    assert failed.args == ["pause all failed: the engine process ended"]
    runner.shutdown()


def test_commands_keep_their_order(qtbot: QtBot) -> None:
    runner = CommandRunner()
    seen: list[int] = []
    for i in range(50):
        runner.run(partial(seen.append, i))
    runner.shutdown()
    assert seen == list(range(50))
    with pytest.raises(RuntimeError):
        runner.run(lambda: None)  # shut down: nothing more runs


def test_describe_names_tasks_in_words() -> None:
    def _resume_all() -> None: ...

    assert describe(_resume_all) == "resume all"
