"""Digest as RFC 7616 defines it: MD5, SHA-256 and SHA-512-256 and their -sess forms,
with qop auth, auth-int (a GET's empty body) or none (RFC 2069), against the hostile kit's
``DigestGuard``, which checks each answer with its own computation; every file ends
SHA-256 equal. What cannot be answered fails at once, saying which scheme and parameter."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState, Login
from tests.engine.conftest import Managers
from tests.kit.files import make_file, sha256_bytes, sha256_of
from tests.kit.hostile import DigestGuard, Out, Request, hostile_server, serve_file

PASSWORD = "d1gest-pw"
SIZE = (1 << 20) + 333

ALGORITHMS = ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"]
QOPS = ["auth", "auth-int", "auth-int,auth", None]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_file(tmp_path_factory.mktemp("digest") / "d.bin", SIZE, seed=7).read_bytes()


def guard(data: bytes, algorithm: str, qop: str | None) -> DigestGuard:
    def honest(request: Request, out: Out) -> None:
        serve_file(request, out, data)

    return DigestGuard(honest, "alice", PASSWORD, algorithm=algorithm, qop=qop)


@pytest.mark.parametrize("qop", QOPS, ids=lambda q: str(q))
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_and_qop_is_answered(
    managers: Managers, data: bytes, tmp_path: Path, algorithm: str, qop: str | None
) -> None:
    manager = managers(min_split=256 * 1024)
    site = guard(data, algorithm, qop)
    with hostile_server(site) as server:
        download_id = manager.add(
            DownloadRequest(
                f"{server.url}/d.bin", tmp_path, connections=3, login=Login("alice", PASSWORD)
            )
        )
        assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, (snapshot.record.error, site.refused)
    assert sha256_of(tmp_path / "d.bin") == sha256_bytes(data)
    assert site.refused == []
    assert site.challenges == 1  # the probe's; the range requests answered at once


@pytest.mark.parametrize(
    ("algorithm", "qop", "said"),
    [
        ("SHA-1", "auth", "algorithm=SHA-1"),
        ("MD5", "auth-conf", "qop=auth-conf"),
        ("SHA3-256", None, "algorithm=SHA3-256"),
    ],
)
def test_what_cannot_be_answered_fails_at_once(
    managers: Managers, data: bytes, tmp_path: Path, algorithm: str, qop: str, said: str
) -> None:
    manager = managers()
    site = guard(data, algorithm, qop)
    with hostile_server(site) as server:
        started = time.monotonic()
        download_id = manager.add(
            DownloadRequest(f"{server.url}/d.bin", tmp_path, login=Login("alice", PASSWORD))
        )
        assert manager.wait([download_id], timeout=30)
        took = time.monotonic() - started
        asked = len(server.requests)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.FAILED
    error = snapshot.record.error or ""
    assert "Digest" in error
    assert said in error
    assert "internal error" not in error
    assert "Error" not in error
    assert asked == 1  # no retry: it cannot be answered however often it is asked
    assert took < 2
