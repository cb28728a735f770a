"""Redirects are followed; the final URL is stored and used for every range request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.server.app import create_app
from gui_app.server.runner import ServerThread
from tests.kit.files import sha256_of


class Redirecting:
    """``/go/NAME`` answers 302 to ``/files/NAME``; counts requests to ``/go/``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.hops = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/go/"):
            self.hops += 1
            target = "/files/" + scope["path"][len("/go/") :]
            headers = [(b"location", target.encode()), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 302, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def redirecting(source: Path) -> Iterator[tuple[ServerThread, Redirecting]]:
    app = Redirecting(create_app(source.parent))
    with ServerThread(app) as server:  # type: ignore[arg-type]  # any ASGI app serves
        yield server, app


def test_the_final_url_is_kept_and_used(
    redirecting: tuple[ServerThread, Redirecting],
    manager: DownloadManager,
    source: Path,
    tmp_path: Path,
) -> None:
    server, app = redirecting
    download_id = manager.add(DownloadRequest(f"{server.url}/go/data.bin", tmp_path))
    assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert snapshot.record.final_url == f"{server.url}/files/data.bin"
    assert snapshot.record.filename == "data.bin"
    assert snapshot.record.path is not None
    assert sha256_of(snapshot.record.path) == sha256_of(source)
    assert app.hops == 1  # the other connections went straight to the final URL
