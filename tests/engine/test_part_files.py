"""The part file is trusted only when it is the file this download wrote: a deleted,
truncated, replaced or planted ``.part`` never turns into zeros or a write elsewhere, and
a download with every byte recorded always finishes (items 2, 8 and 9 of the review)."""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.server.runner import ServerThread
from tests.engine.conftest import Managers
from tests.kit.files import sha256_of
from tests.kit.waiting import wait_until


def slow_url(server: ServerThread) -> str:
    return f"{server.url}/files/data.bin?key={uuid.uuid4().hex}&rate=1M"


def paused_midway(manager: DownloadManager, url: str, out: Path) -> DownloadSnapshot:
    download_id = manager.add(DownloadRequest(url, out, connections=2))
    wait_until(
        lambda: (s := manager.get(download_id)) is not None and s.record.done_bytes > 1 << 20,
        20,
        what="1 MiB down",
    )
    manager.pause(download_id)
    assert manager.wait([download_id], timeout=10)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.PAUSED
    assert snapshot.record.done_bytes > 0
    return snapshot


def resumed(manager: DownloadManager, download_id: int) -> DownloadSnapshot:
    manager.resume(download_id)
    assert manager.wait([download_id], timeout=40)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    return snapshot


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_damaged_part_file_is_never_resumed_as_zeros(
    manager: DownloadManager, server: ServerThread, source: Path, out: Path, damage: str
) -> None:
    paused = paused_midway(manager, slow_url(server), out)
    part = paused.record.part_path
    assert part is not None
    if damage == "deleted":
        part.unlink()
    else:
        os.truncate(part, 1000)
    snapshot = resumed(manager, paused.id)
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)


def test_a_replaced_part_file_is_not_touched(
    manager: DownloadManager, server: ServerThread, out: Path
) -> None:
    paused = paused_midway(manager, slow_url(server), out)
    part = paused.record.part_path
    assert part is not None
    # Replaced by a rename, as sync tools and editors do: a new inode. (A file deleted and
    # created again may get the freed inode number back; its size is then checked.)
    other = part.with_name("other")
    other.write_bytes(b"someone else's file")
    other.replace(part)
    snapshot = resumed(manager, paused.id)
    assert snapshot.state is DownloadState.FAILED
    assert "not the file this download wrote" in (snapshot.record.error or "")
    assert part.read_bytes() == b"someone else's file"


@pytest.mark.parametrize("planted", ["symlink", "hardlink", "file"])
def test_nothing_is_written_through_a_planted_part_file(
    manager: DownloadManager, server: ServerThread, out: Path, tmp_path: Path, planted: str
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    part = out / "chosen.bin.part"
    if planted == "symlink":
        part.symlink_to(victim)
    elif planted == "hardlink":
        os.link(victim, part)
    else:
        part.write_bytes(b"precious")
    url = f"{server.url}/files/data.bin?key={uuid.uuid4().hex}"
    download_id = manager.add(DownloadRequest(url, out, filename="chosen.bin"))
    assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.FAILED
    assert "not touched" in (snapshot.record.error or ""), snapshot.record.error
    assert victim.read_bytes() == b"precious"
    assert not (out / "chosen.bin").exists()


@pytest.mark.parametrize("left_as", [DownloadState.VERIFYING, DownloadState.FAILED])
def test_a_download_with_every_byte_recorded_always_finishes(
    managers: Managers,
    server: ServerThread,
    source: Path,
    out: Path,
    data_dir: Path,
    left_as: DownloadState,
) -> None:
    """Killed while verifying, or after a failed rename: the next run verifies and renames."""
    manager = managers()
    url = f"{server.url}/files/data.bin?key={uuid.uuid4().hex}"
    download_id = manager.add(DownloadRequest(url, out))
    assert manager.wait([download_id], timeout=30)
    done = manager.get(download_id)
    manager.shutdown()
    assert done is not None
    assert done.record.path is not None
    assert done.record.part_path is not None
    done.record.path.rename(done.record.part_path)  # as it was just before the rename
    with sqlite3.connect(data_dir / "state.sqlite3") as db:  # never a write the engine makes
        db.execute(
            "UPDATE downloads SET state=?, completed_at=NULL, error='interrupted' WHERE id=?",
            (left_as.value, download_id),
        )
    again = managers()
    try:
        snapshot = resumed(again, download_id)
    finally:
        again.shutdown()
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)


def test_a_second_engine_never_rewrites_a_download_the_first_finished(
    managers: Managers, server: ServerThread, source: Path, out: Path, data_dir: Path
) -> None:
    """Two processes on one store (two ``rangeload get`` of one URL): the second loaded the
    record while the first ran, and resumes it just after the first finished (item 3)."""
    first = managers()
    second_store = Store(data_dir / "state.sqlite3")
    second = DownloadManager(second_store)
    try:
        url = f"{server.url}/files/data.bin?key={uuid.uuid4().hex}&rate=4M"
        download_id = first.add(DownloadRequest(url, out))
        second.start(resume_running=False, run_queued=False)  # a stale copy of the record
        assert first.wait([download_id], timeout=30)
        second.resume(download_id)
        assert second.wait([download_id], timeout=30)
        snapshot = second.get(download_id)
    finally:
        second.shutdown()
        second_store.close()
        first.shutdown()
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert sorted(p.name for p in out.iterdir()) == ["data.bin"]
    assert sha256_of(out / "data.bin") == sha256_of(source)
    store = Store(data_dir / "state.sqlite3")
    try:
        record = store.get(download_id)
    finally:
        store.close()
    assert record is not None
    assert record.state is DownloadState.COMPLETED
    assert record.filename == "data.bin"
