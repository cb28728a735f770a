"""Logins: Basic and Digest as the server's 401 asks, sent only to the download's own
origin and only once asked; a refused or missing login fails the download with
``Problem.LOGIN`` and its bytes kept; a login given afterwards finishes it byte-exact, and
a login survives a restart. Against a site that checks every Digest response."""

from __future__ import annotations

from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState, Login, Problem, RequestOptions
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.manager.scheduler import DownloadManager
from tests.engine.conftest import Managers
from tests.kit.files import make_file, sha256_of
from tests.kit.guarded_site import Site, guarded_site
from tests.kit.hostile import Out, Request, hostile_server, serve_file

PASSWORD = "c0rrect-h0rse"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_file(tmp_path / "site" / "guarded.bin", (3 << 20) + 77, seed=5)


def site_headers(site: Site) -> tuple[tuple[str, str], ...]:
    return (("Cookie", f"sid={site.token}"), ("Referer", site.page))


def fetch(manager: DownloadManager, site: Site, out: Path, **request: object) -> DownloadSnapshot:
    download_id = manager.add(
        DownloadRequest(site.file_url, out, headers=site_headers(site), **request)  # type: ignore[arg-type]
    )
    assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    return snapshot


@pytest.mark.parametrize("digest", [False, True], ids=["basic", "digest"])
def test_a_login_answers_the_servers_challenge_once(
    managers: Managers, source: Path, tmp_path: Path, digest: bool
) -> None:
    manager = managers(min_split=256 * 1024)
    with guarded_site(source, login=("alice", PASSWORD), digest=digest) as site:
        snapshot = fetch(manager, site, tmp_path, connections=4, login=Login("alice", PASSWORD))
        # One challenge for the probe; the range requests answer it without a round trip.
        assert site.challenges == ["digest" if digest else "basic"]
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert sha256_of(tmp_path / source.name) == sha256_of(source)


@pytest.mark.parametrize("digest", [False, True], ids=["basic", "digest"])
def test_a_refused_login_waits_for_a_better_one_and_keeps_the_bytes(
    managers: Managers, source: Path, tmp_path: Path, digest: bool
) -> None:
    manager = managers()
    with guarded_site(source, login=("alice", PASSWORD), digest=digest) as site:
        snapshot = fetch(manager, site, tmp_path, login=Login("alice", "wrong"))
        assert snapshot.state is DownloadState.FAILED
        assert snapshot.record.problem is Problem.LOGIN
        assert snapshot.record.error is not None
        assert "refused the login for alice (401" in snapshot.record.error
        assert "wrong" not in snapshot.record.error

        options = RequestOptions(site_headers(site), Login("alice", PASSWORD))
        manager.set_options(snapshot.id, options)
        manager.resume(snapshot.id)
        assert manager.wait([snapshot.id], timeout=30)
        done = manager.get(snapshot.id)
        assert done is not None
    assert done.state is DownloadState.COMPLETED, done.record.error
    assert done.record.problem is None
    assert sha256_of(tmp_path / source.name) == sha256_of(source)


def test_no_login_is_asked_for_by_name(managers: Managers, source: Path, tmp_path: Path) -> None:
    manager = managers()
    with guarded_site(source, login=("alice", PASSWORD), digest=True) as site:
        snapshot = fetch(manager, site, tmp_path)
    assert snapshot.record.problem is Problem.LOGIN
    assert (
        snapshot.record.error
        == f"{site.url.removeprefix('http://')} asks for a login (401 Unauthorized)"
    )


def test_a_login_cut_short_by_a_pause_resumes_after_a_restart(
    managers: Managers, source: Path, tmp_path: Path
) -> None:
    first = managers()
    with guarded_site(source, login=("bob", PASSWORD), digest=True) as site:
        download_id = first.add(
            DownloadRequest(
                site.file_url + "?x",
                tmp_path,
                headers=site_headers(site),
                connections=2,
                login=Login("bob", PASSWORD),
                rate_limit=1 << 20,
            )
        )
        while (snap := first.get(download_id)) is not None and snap.done_bytes < 500_000:
            assert first.wait([download_id], timeout=0.05) is False
        first.pause(download_id)
        assert first.wait([download_id], timeout=10)
        first.shutdown()
        second = managers()
        record = second.get(download_id)
        assert record is not None
        assert record.record.login == Login("bob", PASSWORD)
        second.set_rate_limit(download_id, None)
        second.resume(download_id)
        assert second.wait([download_id], timeout=30)
        done = second.get(download_id)
        assert done is not None
    assert done.state is DownloadState.COMPLETED, done.record.error
    assert 0 < record.record.done_bytes < source.stat().st_size
    assert sha256_of(tmp_path / source.name) == sha256_of(source)


def test_a_login_never_answers_another_hosts_challenge(
    manager: DownloadManager, tmp_path: Path
) -> None:
    data = bytes(range(256)) * 400

    def challenging(request: Request, o: Out) -> None:
        if "authorization" in request.headers:
            serve_file(request, o, data)
        else:
            o.head(401, {"WWW-Authenticate": 'Basic realm="other"', "Content-Length": "0"})

    with hostile_server(challenging, host="127.0.0.2") as other:

        def redirect(request: Request, o: Out) -> None:
            o.head(302, {"Location": f"{other.url}/f.bin", "Content-Length": "0"})

        with hostile_server(redirect) as first:
            download_id = manager.add(
                DownloadRequest(f"{first.url}/f.bin", tmp_path, login=Login("alice", PASSWORD))
            )
            assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.record.problem is Problem.LOGIN
    assert other.requests
    assert all("authorization" not in r.headers for r in other.requests + first.requests)
