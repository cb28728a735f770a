"""A connection never made fails a new download fast, in words (issue 25, item 1): no such
host at once, nothing listening after two quick retries; one that was flowing keeps its
patience and says how it retries. curl and wget say so in milliseconds; Rangeload used to
show "active, 0 B/s" for two minutes and then ``[Errno 111]``."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.api.retry import Backoff
from gui_app.engine.manager.scheduler import DownloadManager
from tests.engine.conftest import Managers
from tests.kit.files import make_file, sha256_of
from tests.kit.servers import serving
from tests.kit.waiting import wait_until


def a_closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def ended(manager: DownloadManager, download_id: int, within: float) -> tuple[str, float]:
    started = time.monotonic()
    assert manager.wait([download_id], timeout=within), "it did not end in time"
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.FAILED
    return snapshot.record.error or "", time.monotonic() - started


def test_nothing_listening_fails_a_new_download_in_seconds(
    managers: Managers, tmp_path: Path
) -> None:
    manager = managers(backoff=Backoff())  # the app's own patience, not the tests' quick one
    port = a_closed_port()
    out = tmp_path / "out"
    out.mkdir()
    download_id = manager.add(DownloadRequest(f"http://127.0.0.1:{port}/f.bin", out))
    error, took = ended(manager, download_id, within=15)
    assert error == f"the server refused the connection: nothing listens at 127.0.0.1:{port}"
    assert 0.5 < took < 5  # two quick retries with the real backoff: about a second
    assert list(out.iterdir()) == []  # nothing written, not even a part file


def test_no_such_host_fails_at_once_and_says_so(manager: DownloadManager, tmp_path: Path) -> None:
    url = "http://no-such-host.invalid/f.bin"  # RFC 6761: never resolves
    download_id = manager.add(DownloadRequest(url, tmp_path))
    error, _ = ended(manager, download_id, within=30)
    assert error == "no such host: no-such-host.invalid"
    assert "Errno" not in error


def test_a_download_that_was_flowing_keeps_retrying_says_how_and_finishes_exact(
    managers: Managers, tmp_path: Path
) -> None:
    manager = managers(backoff=Backoff(base=0.5, cap=2.0, max_failures=8))
    root = tmp_path / "served"
    root.mkdir()
    source = make_file(root / "data.bin", 2 << 20, seed=3)
    out = tmp_path / "out"
    out.mkdir()
    with serving(root, faults=True) as server:
        url = f"{server.url}/files/data.bin?rate=512K"
        port = server.port
        download_id = manager.add(DownloadRequest(url, out, connections=1))
        wait_until(lambda: done_bytes(manager, download_id) > 0, 10, what="its first bytes")
        manager.pause(download_id)
        assert manager.wait([download_id], timeout=10)
    kept = done_bytes(manager, download_id)
    assert kept > 0
    manager.resume(download_id)  # its server is gone: it retries, patiently

    def note() -> str:
        snapshot = manager.get(download_id)
        return "" if snapshot is None else snapshot.record.error or ""

    wait_until(lambda: note().startswith("retrying (3 of 8) in "), 20, what=note)
    assert note().endswith(
        f": the server refused the connection: nothing listens at 127.0.0.1:{port}"
    )
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.RUNNING  # not failed: its link may come back
    assert done_bytes(manager, download_id) == kept  # nothing lost meanwhile
    with serving(root, port=port, faults=True):  # back: it goes on from what it kept
        assert manager.wait([download_id], timeout=60)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)


def done_bytes(manager: DownloadManager, download_id: int) -> int:
    snapshot = manager.get(download_id)
    assert snapshot is not None
    return snapshot.done_bytes
