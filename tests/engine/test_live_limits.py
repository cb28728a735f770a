"""A running download's connections and speed limit, changed while it runs: more
connections start at once, fewer end as their regions finish (nothing lost), the limit
holds within 10 %, and what was set is what the store keeps. Every file SHA-256 equal."""

from __future__ import annotations

import time
from pathlib import Path

from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from tests.engine.conftest import DataUrl, Managers
from tests.engine.test_limits import lift_and_complete
from tests.kit.files import sha256_of
from tests.kit.waiting import wait_until


def live_connections(manager: DownloadManager, download_id: int) -> int:
    snapshot = manager.get(download_id)
    assert snapshot is not None
    return len(snapshot.connections)


def test_connections_change_while_it_runs(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path, data_dir: Path
) -> None:
    manager = managers()
    download_id = manager.add(DownloadRequest(data_url("&rate=1M"), tmp_path, connections=1))
    wait_until(lambda: live_connections(manager, download_id) == 1, 10, what="1 connection")
    manager.set_connections(download_id, 4)
    wait_until(lambda: live_connections(manager, download_id) == 4, 5, what="4 connections")
    manager.set_connections(download_id, 2)
    manager.set_rate_limit(download_id, 3 << 20)
    wait_until(
        lambda: live_connections(manager, download_id) <= 2, 10, what="2 connections or fewer"
    )
    running = manager.get(download_id)
    assert running is not None
    assert (running.record.connections, running.record.rate_limit) == (2, 3 << 20)
    assert manager.wait([download_id], timeout=60)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    # Ended, its record keeps what the user set while it ran (it used to fall back to the
    # values the task started with, in memory, until the next start).
    assert (snapshot.record.connections, snapshot.record.rate_limit) == (2, 3 << 20)
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)
    manager.shutdown()
    store = Store(data_dir / "state.sqlite3")
    stored = store.get(download_id)
    store.close()
    assert stored is not None
    # The running task's saves did not write back the values it started with.
    assert (stored.connections, stored.rate_limit) == (2, 3 << 20)


def test_a_speed_limit_set_while_it_runs_holds(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path
) -> None:
    manager = managers()
    download_id = manager.add(
        DownloadRequest(data_url(), tmp_path, rate_limit=256 * 1024, connections=2)
    )
    wait_until(
        lambda: (s := manager.get(download_id)) is not None and s.done_bytes > 0,
        10,
        what="the first bytes",
    )
    limit = 1 << 20
    manager.set_rate_limit(download_id, limit)
    time.sleep(1.0)  # past the bucket's burst and the chunks already read
    first = manager.get(download_id)
    assert first is not None
    started = time.monotonic()
    time.sleep(4.0)  # on purpose: the window the speed is measured over
    second = manager.get(download_id)
    assert second is not None
    rate = (second.done_bytes - first.done_bytes) / (time.monotonic() - started)
    assert 0.9 * limit <= rate <= 1.1 * limit, rate
    lift_and_complete(manager, download_id, source, timeout=60)
