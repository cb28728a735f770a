"""Task locks: one download runs in one manager at a time, across managers and processes."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import pytest

from gui_app.engine.disk import task_lock
from gui_app.engine.disk.task_lock import LOCK_FILE, TaskLocks


def test_two_managers_exclude_each_other_per_download(tmp_path: Path) -> None:
    locks = tmp_path / "locks"
    first, second = TaskLocks(locks), TaskLocks(locks)
    with first.held(7) as held:
        assert held
        with second.held(7) as other:
            assert not other
        with second.held(8) as neighbour:  # byte 8 is its own lock
            assert neighbour
    with second.held(7) as after:
        assert after
    first.close()
    second.close()
    assert [p.name for p in locks.iterdir()] == [LOCK_FILE]


def test_another_process_is_refused_until_the_holder_lets_go(tmp_path: Path) -> None:
    code = (
        "import sys; from pathlib import Path; from gui_app.engine.disk.task_lock import TaskLocks;"
        "locks = TaskLocks(Path(sys.argv[1]))\n"
        "with locks.held(int(sys.argv[2])) as held: print(held)"
    )

    def other(download_id: int) -> str:
        args = [sys.executable, "-c", code, str(tmp_path), str(download_id)]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()

    locks = TaskLocks(tmp_path)
    with locks.held(3) as held:
        assert held
        assert other(3) == "False"
        assert other(4) == "True"
    assert other(3) == "True"
    locks.close()


def test_a_closed_set_of_locks_releases_them_all(tmp_path: Path) -> None:
    first, second = TaskLocks(tmp_path), TaskLocks(tmp_path)
    with first.held(1) as held:
        assert held
        first.close()  # as a process's end does, the task still inside
        with second.held(1) as taken:
            assert taken
            with first.held(1) as again:  # it opens the file anew: the lock is second's
                assert not again
    with second.held(1) as still:
        assert still
    second.close()


@pytest.mark.parametrize("why", ["no OFD locks", "refused by the file system"])
def test_without_byte_range_locks_a_file_per_download_excludes_just_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    if why == "no OFD locks":
        monkeypatch.setattr(task_lock, "_OFD_SETLK", None)
    else:
        real = fcntl.fcntl

        def refusing(fd: int, command: int, arg: bytes = b"") -> object:
            if command == task_lock._OFD_SETLK:
                raise OSError(22, "Invalid argument")
            return real(fd, command, arg)

        monkeypatch.setattr(fcntl, "fcntl", refusing)
    locks = tmp_path / "locks"
    first, second = TaskLocks(locks), TaskLocks(locks)
    with first.held(7) as held:
        assert held
        assert (locks / "7.lock").exists()
        with second.held(7) as other:
            assert not other
        with second.held(8) as neighbour:
            assert neighbour
    with second.held(7) as after:
        assert after
