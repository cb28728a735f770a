"""Downloads from nginx, a server nobody here wrote, end in the source's SHA-256."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.manager.scheduler import DownloadManager
from tests.bench.peers import Peer, nginx
from tests.kit.files import make_file, sha256_of


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Peer, Path]]:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed; .ci/run installs it")
    root = tmp_path_factory.mktemp("nginx-root")
    source = make_file(root / "file.bin", (5 << 20) + 17, seed=31)
    with nginx(
        root, http_extra="map $connection $r { default 4m; }", location_extra="limit_rate $r;"
    ) as running:
        yield running, source


@pytest.mark.parametrize("connections", [1, 8])
def test_download_from_nginx(
    peer: tuple[Peer, Path], manager: DownloadManager, tmp_path: Path, connections: int
) -> None:
    server, source = peer
    download_id = manager.add(
        DownloadRequest(f"{server.url}/files/file.bin", tmp_path, connections=connections)
    )
    assert manager.wait([download_id], timeout=60)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.resumable is True
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)
