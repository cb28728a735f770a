"""Whole downloads against the real server and each of its faults: every one ends in the
source's SHA-256 (or the changed file's), or in a clear, specific error; never a wrong file."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from gui_app.engine.api.models import Checksum, DownloadRequest, DownloadState
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.download.kept import INLINE_MAX
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.server.faults import CHANGE_XOR
from gui_app.server.runner import ServerThread
from tests.engine.conftest import SIZE, Download, Managers
from tests.kit.files import make_file, sha256_bytes, sha256_of
from tests.kit.waiting import wait_until


def key() -> str:
    return f"key={uuid.uuid4().hex}"


def assert_complete(snapshot: DownloadSnapshot, source: Path) -> Path:
    record = snapshot.record
    assert record.state is DownloadState.COMPLETED, record.error
    assert record.path is not None
    assert sha256_of(record.path) == sha256_of(source)
    assert record.part_path is not None
    assert not record.part_path.exists()
    return record.path


def test_plain_download_with_eight_connections(download: Download, source: Path) -> None:
    snapshot = download(key(), connections=8)
    path = assert_complete(snapshot, source)
    assert path.name == "data.bin"
    assert snapshot.record.resumable is True
    assert snapshot.record.validators.strong_etag is not None


def test_dropped_connections_are_resumed(download: Download, source: Path) -> None:
    assert_complete(download(f"{key()}&drop_after=700000"), source)


def test_503_bursts_honour_retry_after(download: Download, source: Path) -> None:
    start = time.monotonic()
    assert_complete(download(f"{key()}&fail=2&retry_after=1"), source)
    assert time.monotonic() - start >= 2.0


def test_a_stalled_connection_is_dropped_and_its_region_reclaimed(
    download: Download, source: Path
) -> None:
    start = time.monotonic()
    assert_complete(download(f"{key()}&stall=30&stall_after=100000&stall_times=1"), source)
    assert time.monotonic() - start < 20  # the stall is 30 s; the stall timeout is 1.5 s


def test_a_server_that_ignores_ranges_gets_one_connection(download: Download, source: Path) -> None:
    snapshot = download(f"{key()}&ignore_range=1", connections=8)
    assert_complete(snapshot, source)
    assert snapshot.record.resumable is False


def test_a_changed_file_restarts_and_yields_the_new_version(
    download: Download, source: Path
) -> None:
    snapshot = download(f"{key()}&change_after=2&change_size=1000")
    record = snapshot.record
    assert record.state is DownloadState.COMPLETED, record.error
    assert record.path is not None
    changed = source.read_bytes().translate(bytes(b ^ CHANGE_XOR for b in range(256)))
    changed += b"\xa5" * 1000
    assert sha256_of(record.path) == sha256_bytes(changed)
    assert record.size == SIZE + 1000


def test_an_expired_link_keeps_the_partial_data(download: Download, source: Path) -> None:
    """Only the probe is served; the other connections get a login page at once. The
    probe's response was open first, so its bytes are kept (they used to be lost when the
    others were started before it and failed first), and every kept byte is the file's."""
    snapshot = download(f"{key()}&html_after=1&rate=2M", connections=4)
    record = snapshot.record
    assert record.state is DownloadState.FAILED
    assert "link probably expired" in (record.error or "")
    assert record.part_path is not None
    assert record.part_path.exists()
    assert record.done_bytes > 0
    data, kept = source.read_bytes(), record.part_path.read_bytes()
    for region in record.done:
        assert kept[region.first : region.last + 1] == data[region.first : region.last + 1]
    assert record.path is not None
    assert not record.path.exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (404, "not found (404)"),
        (410, "gone (410)"),
        (403, "access denied (403"),
        (500, "server error (500)"),
    ],
)
def test_error_statuses_fail_with_a_specific_message(
    download: Download, status: int, message: str
) -> None:
    snapshot = download(f"{key()}&status={status}")
    assert snapshot.record.state is DownloadState.FAILED
    assert message in (snapshot.record.error or "")
    assert snapshot.record.filename is None  # nothing was written


def test_checksums(download: Download, source: Path) -> None:
    good = Checksum("sha256", sha256_of(source))
    assert_complete(download(key(), checksum=good), source)
    bad = download(key(), checksum=Checksum("md5", "0" * 32))
    assert bad.record.state is DownloadState.FAILED
    assert "md5 mismatch" in (bad.record.error or "")
    assert bad.record.path is not None
    assert not bad.record.path.exists()


def test_a_taken_name_gets_a_number(download: Download, source: Path, tmp_path: Path) -> None:
    (tmp_path / "out" / "data.bin").write_bytes(b"someone else's file")
    path = assert_complete(download(key()), source)
    assert path.name == "data (1).bin"
    assert (tmp_path / "out" / "data.bin").read_bytes() == b"someone else's file"


def test_same_named_downloads_started_together_get_distinct_names(
    manager: DownloadManager, server: ServerThread, source: Path, tmp_path: Path
) -> None:
    ids = [
        manager.add(DownloadRequest(f"{server.url}/files/data.bin?{key()}", tmp_path))
        for _ in range(4)
    ]
    assert manager.wait(ids, timeout=30)
    names = set()
    for download_id in ids:
        snapshot = manager.get(download_id)
        assert snapshot is not None
        names.add(assert_complete(snapshot, source).name)
    assert names == {"data.bin", "data (1).bin", "data (2).bin", "data (3).bin"}


def test_a_slow_connection_does_not_decide_the_end(download: Download, source: Path) -> None:
    start = time.monotonic()
    assert_complete(download(key()), source)
    fast = time.monotonic() - start
    start = time.monotonic()
    # The second request crawls at 20 KiB/s: alone it would need minutes for its region.
    assert_complete(download(f"{key()}&slow_request=2&slow_rate=20K", connections=4), source)
    slowed = time.monotonic() - start
    assert slowed < fast + 6.0


@pytest.mark.parametrize("small", [False, True], ids=["two connections", "small file read inline"])
def test_pause_and_resume(
    manager: DownloadManager, server: ServerThread, source: Path, tmp_path: Path, small: bool
) -> None:
    """A pause interrupts at once and keeps what was written, also for a small file on one
    connection."""
    if small:
        size = INLINE_MAX - 1000  # one connection's worth, read by the controller itself
        source = make_file(source.parent / f"small-{uuid.uuid4().hex}.bin", size, seed=5)
    url = f"{server.url}/files/{source.name}?{key()}&rate={'64K' if small else '1M'}"
    download_id = manager.add(DownloadRequest(url, tmp_path, connections=2))
    wait_until(  # bytes here, if not yet durable
        lambda: (s := manager.get(download_id)) is not None and s.done_bytes > 0,
        20,
        what="the first bytes",
    )
    asked = time.monotonic()
    manager.pause(download_id)
    assert manager.wait([download_id], timeout=5)
    assert time.monotonic() - asked < 1.0
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.record.state is DownloadState.PAUSED
    done = snapshot.record.done_bytes
    assert 0 < done < source.stat().st_size
    assert snapshot.record.part_path is not None
    assert snapshot.record.part_path.exists()
    manager.resume(download_id)
    assert manager.wait([download_id], timeout=30)
    final = manager.get(download_id)
    assert final is not None
    assert_complete(final, source)


@pytest.mark.parametrize("named", [False, True], ids=["name from the server", "name given"])
def test_a_small_file_is_written_once_whole_without_a_part_file(
    manager: DownloadManager, server: ServerThread, source: Path, tmp_path: Path, named: bool
) -> None:
    """Held in memory until it is all here, then written under its final name: no part
    file was ever recorded for it (it would have an identity), and its bytes are exact;
    also when its name is known before the first request (``rangeload get -o``)."""
    small = make_file(source.parent / f"small-{uuid.uuid4().hex}.bin", INLINE_MAX, seed=7)
    name = "given.bin" if named else None
    download_id = manager.add(
        DownloadRequest(
            f"{server.url}/files/{small.name}?{key()}", tmp_path, filename=name, connections=8
        )
    )
    assert manager.wait([download_id], timeout=30)
    final = manager.get(download_id)
    assert final is not None
    assert_complete(final, small)
    assert final.record.part_id is None
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [name or small.name]


def test_a_restarted_manager_resumes_what_was_running(
    managers: Managers, data_dir: Path, server: ServerThread, source: Path, tmp_path: Path
) -> None:
    first = managers()
    download_id = first.add(
        DownloadRequest(f"{server.url}/files/data.bin?{key()}&rate=1M", tmp_path, connections=2)
    )
    wait_until(
        lambda: (s := first.get(download_id)) is not None and s.record.done_bytes > 0,
        20,
        what="the first bytes",
    )
    first.shutdown()
    second = managers()
    try:
        assert second.wait([download_id], timeout=30)
        snapshot = second.get(download_id)
        assert snapshot is not None
        assert_complete(snapshot, source)
    finally:
        second.shutdown()


def test_with_resume_on_start_off_unfinished_downloads_come_back_paused(
    managers: Managers, data_dir: Path, server: ServerThread, source: Path, tmp_path: Path
) -> None:
    first = managers(max_concurrent=1)
    running, waiting = (
        first.add(
            DownloadRequest(f"{server.url}/files/data.bin?{key()}&rate=1M", tmp_path, connections=1)
        )
        for _ in range(2)
    )
    wait_until(
        lambda: (s := first.get(running)) is not None and s.record.done_bytes > 0,
        20,
        what="the first one's first bytes",
    )
    states = {i: s.state for i in (running, waiting) if (s := first.get(i)) is not None}
    assert states == {running: DownloadState.RUNNING, waiting: DownloadState.QUEUED}
    first.shutdown()
    second = DownloadManager(first._store)  # the same store, as the next app start
    second.start(resume_running=False)
    try:
        time.sleep(0.5)  # on purpose: time in which one that starts on its own would start
        for download_id in (running, waiting):
            snapshot = second.get(download_id)
            assert snapshot is not None
            assert snapshot.state is DownloadState.PAUSED  # nothing starts on its own
        assert second.get(running).done_bytes > 0  # type: ignore[union-attr]  # checked above
        second.resume(running)
        assert second.wait([running], timeout=30)
        snapshot = second.get(running)
        assert snapshot is not None
        assert_complete(snapshot, source)
    finally:
        second.shutdown()


def test_bad_urls_are_refused_before_anything_is_stored(
    manager: DownloadManager, tmp_path: Path
) -> None:
    from gui_app.engine.api.errors import InvalidURLError

    for url in ("ftp://h/x", "nohost", "http:///x"):
        with pytest.raises(InvalidURLError):
            manager.add(DownloadRequest(url, tmp_path))
    assert manager.snapshot() == ()


def test_a_missing_folder_is_refused_as_a_folder_not_as_a_url(
    manager: DownloadManager, tmp_path: Path
) -> None:
    from gui_app.engine.api.errors import DiskError, FolderMissingError, InvalidURLError

    gone = tmp_path / "gone"
    with pytest.raises(FolderMissingError) as refused:
        manager.add(DownloadRequest("https://example.org/a.bin", gone))
    assert str(refused.value) == f"destination folder does not exist: {gone}"
    assert isinstance(refused.value, DiskError)  # the front ends catch DownloadError
    assert not isinstance(refused.value, InvalidURLError)  # the URL was fine
    assert manager.snapshot() == ()
