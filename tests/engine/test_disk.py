"""A full disk pauses a download with "disk full", loses nothing, and it resumes by itself
once there is room. Uses a small real tmpfs; skipped where mounting one is not allowed."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState, PauseReason
from gui_app.engine.manager.scheduler import DownloadManager
from tests.engine.conftest import SIZE, DataUrl, completed
from tests.kit.files import sha256_of
from tests.kit.waiting import wait_until


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def resize(mount_point: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount_point)], check=True)


def test_disk_full_pauses_then_resumes_when_space_is_freed(
    data_url: DataUrl,
    small_disk: Path,
    manager: DownloadManager,
    source: Path,
) -> None:
    url = data_url()
    download_id = manager.add(DownloadRequest(url, small_disk))
    assert manager.wait([download_id], timeout=20)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.PAUSED
    assert (snapshot.record.error or "").startswith("disk full")
    assert snapshot.record.pause_reason is PauseReason.DISK_FULL  # what the watcher reads
    resize(small_disk, "16m")
    assert sha256_of(completed(manager, download_id)) == sha256_of(source)


def test_preallocation_keeps_a_running_download_safe_from_a_filling_disk(
    data_url: DataUrl,
    small_disk: Path,
    manager: DownloadManager,
    source: Path,
) -> None:
    resize(small_disk, f"{(SIZE >> 20) + 3}m")
    url = data_url("&rate=1M")
    download_id = manager.add(DownloadRequest(url, small_disk, connections=2))
    wait_until(  # under way: its space is taken
        lambda: (s := manager.get(download_id)) is not None and s.record.done_bytes > 0,
        20,
        what="the first bytes",
    )
    fill(small_disk)
    assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)


def fill(disk: Path) -> None:
    with (disk / "filler").open("wb") as out:  # another program takes every free byte
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass


def test_a_paused_preallocated_download_resumes_on_a_full_disk(
    data_url: DataUrl,
    small_disk: Path,
    manager: DownloadManager,
    source: Path,
) -> None:
    """Its own preallocated space is not counted again as needed (review item 21)."""
    resize(small_disk, f"{(SIZE >> 20) + 3}m")
    url = data_url("&rate=1M")
    download_id = manager.add(DownloadRequest(url, small_disk, connections=2))
    wait_until(
        lambda: (s := manager.get(download_id)) is not None and s.record.done_bytes > 0,
        20,
        what="the first bytes",
    )
    manager.pause(download_id)
    assert manager.wait([download_id], timeout=10)
    fill(small_disk)
    manager.resume(download_id)
    assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)
