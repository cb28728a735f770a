"""Speed limits and the per-host connection cap, changed while downloads run."""

from __future__ import annotations

import itertools
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from gui_app.app.settings import Settings
from gui_app.engine.api.models import (
    MAX_CONNECTIONS,
    DownloadId,
    DownloadRequest,
    DownloadState,
)
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.server.runner import ServerThread
from tests.engine.conftest import Managers, completed
from tests.kit.files import sha256_of


def url(server: ServerThread, extra: str = "") -> str:
    return f"{server.url}/files/data.bin?key={uuid.uuid4().hex}{extra}"


def lift_and_complete(
    manager: DownloadManager, download_id: DownloadId, source: Path, timeout: float = 10
) -> None:
    """Lift the download's limit; it then completes with the source's bytes."""
    manager.set_rate_limit(download_id, None)
    assert sha256_of(completed(manager, download_id, timeout)) == sha256_of(source)


def test_global_limit_holds_and_can_be_lifted(
    manager: DownloadManager, server: ServerThread, source: Path, tmp_path: Path
) -> None:
    limit = 1 << 20
    manager.set_global_rate_limit(limit)
    download_id = manager.add(DownloadRequest(url(server), tmp_path, connections=4))
    time.sleep(2.0)  # on purpose: the time the limit is measured over
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.done_bytes <= 2.6 * limit  # 2 s at 1 MiB/s, plus the bucket's burst
    assert snapshot.done_bytes >= 1.2 * limit
    manager.set_global_rate_limit(None)
    assert manager.wait([download_id], timeout=10)
    final = manager.get(download_id)
    assert final is not None
    assert final.state is DownloadState.COMPLETED
    assert final.record.path is not None
    assert sha256_of(final.record.path) == sha256_of(source)


def test_a_per_download_limit(
    manager: DownloadManager, server: ServerThread, source: Path, tmp_path: Path
) -> None:
    download_id = manager.add(DownloadRequest(url(server), tmp_path, rate_limit=1 << 20))
    time.sleep(1.5)  # on purpose: the time the limit is measured over
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.done_bytes <= 2.1 * (1 << 20)
    lift_and_complete(manager, download_id, source)


def test_a_limited_download_moves_in_small_steps(
    manager: DownloadManager, server: ServerThread, source: Path, tmp_path: Path
) -> None:
    """Reads take up to 256 KiB at once from a fast socket; under a limit they are paced
    and counted 64 KiB at a time, so progress (and what a pause keeps) moves smoothly,
    not in one 256 KiB jump every 4 s at 64 KiB/s."""
    limit = 64 * 1024
    download_id = manager.add(
        DownloadRequest(url(server), tmp_path, connections=1, rate_limit=limit)
    )
    seen: list[int] = []
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        snapshot = manager.get(download_id)
        assert snapshot is not None
        seen.append(snapshot.done_bytes)
        time.sleep(0.05)
    steps = [b - a for a, b in itertools.pairwise(seen) if b != a]
    assert len(steps) >= 2
    assert max(steps) <= 2 * limit
    assert seen[-1] <= 4.5 * limit  # 3 s at 64 KiB/s, plus the first read and the burst
    lift_and_complete(manager, download_id, source)


def test_per_host_cap_across_downloads(
    managers: Managers, server: ServerThread, source: Path, tmp_path: Path
) -> None:
    capped = managers(max_connections_per_host=6)
    try:
        ids = [
            capped.add(DownloadRequest(url(server, "&rate=1M"), tmp_path, connections=8))
            for _ in range(2)
        ]
        peak = 0
        deadline = time.monotonic() + 30
        while not capped.wait(ids, timeout=0.1) and time.monotonic() < deadline:
            live = sum(len(s.connections) for s in capped.snapshot())
            peak = max(peak, live)
        assert capped.wait(ids, timeout=30)
        assert 2 <= peak <= 7  # the cap, plus the one probe a second download may take
        for download_id in ids:
            snapshot = capped.get(download_id)
            assert snapshot is not None
            assert snapshot.record.path is not None
            assert sha256_of(snapshot.record.path) == sha256_of(source)
    finally:
        capped.shutdown()


def test_one_connection_limit_whoever_asks(
    manager: DownloadManager, server: ServerThread, tmp_path: Path
) -> None:
    """``add(connections=100)`` and ``set_connections(100)`` refuse alike (they used to
    differ: one succeeded, one raised), and the CLI and the settings use the same bound."""
    url = f"{server.url}/files/missing-{uuid.uuid4().hex}.bin"
    with pytest.raises(ValueError, match=f"connections must be 1 to {MAX_CONNECTIONS}, not 100"):
        manager.add(DownloadRequest(url, tmp_path, connections=100))
    with pytest.raises(ValueError, match="connections must be 1 to"):
        manager.add(DownloadRequest(url, tmp_path, connections=0))
    download_id = manager.add(DownloadRequest(url, tmp_path, start_paused=True))
    with pytest.raises(ValueError, match=f"connections must be 1 to {MAX_CONNECTIONS}, not 100"):
        manager.set_connections(download_id, 100)
    manager.set_connections(download_id, MAX_CONNECTIONS)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.record.connections == MAX_CONNECTIONS
    with pytest.raises(ValueError, match="connections must be 1 to"):
        Settings(download_dir=tmp_path, connections=MAX_CONNECTIONS + 1)


def test_a_stored_row_asking_for_too_many_connections_is_capped(tmp_path: Path) -> None:
    store = Store(tmp_path / "data" / "rangeload.db")
    [record] = store.add_many([(DownloadRequest("http://h/f", tmp_path), DownloadState.PAUSED)])
    with sqlite3.connect(store.path) as raw:  # an older version's row, or a hand edit
        raw.execute("UPDATE downloads SET connections = 500 WHERE id = ?", (record.id,))
    loaded = Store(store.path).get(record.id)
    assert loaded is not None
    assert loaded.connections == MAX_CONNECTIONS
