"""Near the end of an ordinary download, regions that finish within a fraction of a second
are not split and fetched twice, and the first request's connection is not closed with
its server's bytes in flight (review item 20): eight equal connections from nginx at
16 MiB/s each fetch at most 1 MiB more than the file, counted by nginx itself."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from tests.bench.peers import make_file, nginx
from tests.kit.files import sha256_of

SIZE = 128 << 20
MIB = 1 << 20


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed; .ci/run installs it")
    path = make_file(tmp_path_factory.mktemp("overfetch") / "big.bin", SIZE)
    yield path
    path.unlink()


@pytest.mark.parametrize("run", [1, 2])
def test_eight_equal_connections_fetch_at_most_a_mib_more_than_the_file(
    big: Path, tmp_path: Path, data_dir: Path, run: int
) -> None:
    rate = "map $connection $r { default 16m; }"
    with nginx(
        big.parent, http_extra=rate, location_extra="limit_rate $r;", count_bytes=True
    ) as peer:
        manager = DownloadManager(Store(data_dir / "state.sqlite3"))
        manager.start()
        try:
            download_id = manager.add(
                DownloadRequest(f"{peer.url}/files/big.bin", tmp_path, connections=8)
            )
            assert manager.wait([download_id], timeout=60)
            snapshot = manager.get(download_id)
        finally:
            manager.shutdown()
        sent = peer.bytes_sent()
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(big)
    extra = sent - SIZE
    assert extra <= MIB, f"fetched {extra / MIB:.2f} MiB more than the file"
