"""A download moved to another folder while it is not running (its category changed):
its part file goes with it, renamed on one file system or copied across two (a tmpfs
here), the record follows, and the resumed download finishes byte-exact in the new
folder with the bytes it had kept."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadId, DownloadRequest, DownloadState
from gui_app.engine.manager.scheduler import DownloadManager
from tests.engine.conftest import DataUrl, Managers, completed
from tests.kit.files import sha256_of
from tests.kit.waiting import wait_until

SHM = Path("/dev/shm")


def paused_with_progress(
    manager: DownloadManager, data_url: DataUrl, folder: Path
) -> tuple[DownloadId, int]:
    """A download into ``folder`` paused with some 300 KB kept: its id and the bytes kept."""
    folder.mkdir()
    download_id = manager.add(DownloadRequest(data_url("&rate=512K"), folder, connections=2))
    wait_until(
        lambda: (s := manager.get(download_id)) is not None and s.record.done_bytes >= 300_000,
        10,
        what="300 kB down",
    )
    manager.pause(download_id)
    assert manager.wait([download_id], timeout=10)
    paused = manager.get(download_id)
    assert paused is not None
    return download_id, paused.record.done_bytes


@pytest.mark.parametrize("across", [False, True], ids=["same-disk", "to-tmpfs"])
def test_a_paused_download_moves_with_its_bytes(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path, across: bool
) -> None:
    if across and not SHM.is_dir():
        pytest.skip("no tmpfs at /dev/shm")
    manager = managers()
    first = tmp_path / "first"
    download_id, kept = paused_with_progress(manager, data_url, first)
    with tempfile.TemporaryDirectory(dir=SHM if across else tmp_path) as other:
        target = Path(other) / "Archives"
        manager.move_to(download_id, target)
        moved = manager.get(download_id)
        assert moved is not None
        assert moved.record.dest_dir == target
        assert not (first / "data.bin.part").exists()
        assert moved.record.done_bytes == kept
        manager.set_rate_limit(download_id, None)
        manager.resume(download_id)
        assert manager.wait([download_id], timeout=30)
        done = manager.get(download_id)
        assert done is not None
        assert done.state is DownloadState.COMPLETED, done.record.error
        assert "fetched again" not in (done.record.error or "")
        assert done.record.path == target / "data.bin"
        assert sha256_of(target / "data.bin") == sha256_of(source)


def test_a_running_download_does_not_move(
    managers: Managers, data_url: DataUrl, tmp_path: Path
) -> None:
    manager = managers()
    download_id = manager.add(DownloadRequest(data_url("&rate=256K"), tmp_path))
    wait_until(
        lambda: (s := manager.get(download_id)) is not None and s.state is DownloadState.RUNNING,
        10,
        what="Running",
        interval=0.02,
    )
    with pytest.raises(ValueError, match="only a queued or paused or failed download can move"):
        manager.move_to(download_id, tmp_path / "elsewhere")


# A move across file systems killed (-9) at its two dangerous moments: mid-copy, and
# after the record points at the copy but before the copy has the part file's name.
KILLED_MOVE = """
import os, shutil, signal, sys
from pathlib import Path
from gui_app.engine.disk import part_move
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.engine.disk.store import Store

store_path, download_id, target, moment = sys.argv[1:]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if moment == "mid-copy":
    real = shutil.copyfileobj
    def copy_half(reading, writing, length):
        writing.write(reading.read(100_000))
        writing.flush()
        die()
    shutil.copyfileobj = copy_half
else:
    part_move._finish = die
manager = DownloadManager(Store(Path(store_path)))
manager.start(resume_running=False, run_queued=False)
manager.move_to(int(download_id), Path(target))
"""


@pytest.mark.parametrize("moment", ["mid-copy", "after-the-record"])
def test_a_move_killed_across_file_systems_loses_nothing(
    managers: Managers,
    data_url: DataUrl,
    source: Path,
    tmp_path: Path,
    data_dir: Path,
    moment: str,
) -> None:
    if not SHM.is_dir():
        pytest.skip("no tmpfs at /dev/shm")
    manager = managers()
    first = tmp_path / "first"
    download_id, kept = paused_with_progress(manager, data_url, first)
    manager.shutdown()
    with tempfile.TemporaryDirectory(dir=SHM) as other:
        target = Path(other) / "Archives"
        killed = subprocess.run(
            [
                sys.executable,
                "-c",
                KILLED_MOVE,
                str(data_dir / "state.sqlite3"),
                str(download_id),
                str(target),
                moment,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        again = managers()  # recovers the move at start
        record = again.get(download_id)
        assert record is not None
        assert record.record.done_bytes == kept  # not one byte of progress lost
        leftovers = sorted(p.name for p in target.iterdir()) if target.exists() else []
        assert all(not name.endswith(".moving") for name in leftovers)
        if moment == "mid-copy":
            assert record.record.dest_dir == first
            again.move_to(download_id, target)  # the interrupted copy is in no one's way
        assert (target / "data.bin.part").exists()
        assert not (first / "data.bin.part").exists()
        again.set_rate_limit(download_id, None)
        again.resume(download_id)
        done = completed(again, download_id)
        assert done == target / "data.bin"
        assert sha256_of(done) == sha256_of(source)
        assert not (data_dir / "moves").exists() or not any((data_dir / "moves").iterdir())
