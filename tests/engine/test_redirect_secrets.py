"""Redirects followed by the HTTP boundary itself: a Cookie typed for the link (``-b``,
``-H``, the browser's) and a login go again on same-origin hops, never to another origin
(another port, or https -> http); cookies a hop sets go on to the next hops; a relative
Location works; a loop or a redirect without a Location fails at once, in plain words.
Every download ends SHA-256 equal."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadRequest, DownloadState, Login
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.manager.scheduler import DownloadManager
from tests.kit.files import make_file, sha256_bytes, sha256_of
from tests.kit.hostile import Out, Request, hostile_server, serve_file

SIZE = (1 << 20) + 5
BASIC = "Basic " + base64.b64encode(b"alice:pw").decode()


def data_of(tmp_path: Path) -> bytes:
    return make_file(tmp_path / "src.bin", SIZE, seed=9).read_bytes()


def fetch(manager: DownloadManager, url: str, out: Path, **request: object) -> DownloadSnapshot:
    out.mkdir(exist_ok=True)
    download_id = manager.add(DownloadRequest(url, out, **request))  # type: ignore[arg-type]
    assert manager.wait([download_id], timeout=30)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    return snapshot


def redirect(out: Out, location: str | None, cookie: str | None = None) -> None:
    headers = [("Content-Length", "0")]
    if location is not None:
        headers.append(("Location", location))
    if cookie is not None:
        headers.append(("Set-Cookie", cookie))
    out.head(302, headers)


def test_a_same_site_redirect_keeps_the_typed_cookie_and_the_hops_cookie(
    manager: DownloadManager, tmp_path: Path
) -> None:
    data = data_of(tmp_path)

    def site(request: Request, out: Out) -> None:
        cookie = request.headers.get("cookie", "")
        if request.path == "/dl":
            redirect(out, "/cdn/../real/file.bin", "hop=1; Path=/real")  # relative
        elif request.path == "/real/file.bin" and "sid=t0ken" in cookie and "hop=1" in cookie:
            serve_file(request, out, data)
        else:
            out.head(403, {"Content-Length": "0"})

    with hostile_server(site) as server:
        snapshot = fetch(
            manager,
            f"{server.url}/dl",
            tmp_path / "out",
            connections=3,
            headers=(("Cookie", "sid=t0ken"),),
        )
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert sha256_of(tmp_path / "out" / "file.bin") == sha256_bytes(data)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["port", "host"])
def test_nothing_origin_bound_goes_to_another_origin(
    manager: DownloadManager, tmp_path: Path, host: str
) -> None:
    """Another port is another origin: the typed Cookie and the login stay behind (a
    cookie a hop set is a cookie, bound to its host as RFC 6265 and curl have it)."""
    data = data_of(tmp_path)
    seen: list[dict[str, str]] = []

    def elsewhere(request: Request, out: Out) -> None:
        seen.append(dict(request.headers))
        serve_file(request, out, data)

    with hostile_server(elsewhere, host=host) as other:

        def site(request: Request, out: Out) -> None:
            redirect(out, f"{other.url}/file.bin", "planted=1; Path=/")

        with hostile_server(site) as server:
            snapshot = fetch(
                manager,
                f"{server.url}/dl",
                tmp_path / "out",
                headers=(("Cookie", "sid=t0ken"), ("Authorization", BASIC)),
                login=Login("alice", "pw"),
            )
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert sha256_of(tmp_path / "out" / "file.bin") == sha256_bytes(data)
    assert seen
    for headers in seen:
        assert "sid=t0ken" not in headers.get("cookie", "")
        assert headers.get("cookie") in ((None, "planted=1") if host == "127.0.0.1" else (None,))
        assert "authorization" not in headers


def test_a_401_elsewhere_says_the_login_was_not_sent_there(
    manager: DownloadManager, tmp_path: Path
) -> None:
    def elsewhere(request: Request, out: Out) -> None:
        out.head(401, {"WWW-Authenticate": 'Basic realm="x"', "Content-Length": "0"})

    with hostile_server(elsewhere) as other:

        def site(request: Request, out: Out) -> None:
            redirect(out, f"{other.url}/file.bin")

        with hostile_server(site) as server:
            snapshot = fetch(
                manager, f"{server.url}/dl", tmp_path / "out", login=Login("alice", "pw")
            )
            asked = [r.headers.get("authorization") for r in other.requests]
    error = snapshot.record.error or ""
    assert snapshot.state is DownloadState.FAILED
    assert f"127.0.0.1:{other.port}" in error
    assert "the login for alice was not sent there" in error
    assert "refused" not in error
    assert asked == [None]


def test_a_loop_and_a_missing_location_fail_plainly(
    manager: DownloadManager, tmp_path: Path
) -> None:
    def site(request: Request, out: Out) -> None:
        redirect(out, request.target if request.path == "/loop" else None)

    with hostile_server(site) as server:
        looped = fetch(manager, f"{server.url}/loop", tmp_path / "a")
        loop_requests = len(server.paths("/loop"))
        nowhere = fetch(manager, f"{server.url}/nowhere", tmp_path / "b")
    assert looped.state is DownloadState.FAILED
    assert "more than 20 redirects" in (looped.record.error or "")
    assert loop_requests == 21  # once, not retried
    assert nowhere.state is DownloadState.FAILED
    assert "without saying where to (no Location)" in (nowhere.record.error or "")


def test_a_token_header_the_user_added_stays_with_its_origin(
    manager: DownloadManager, tmp_path: Path
) -> None:
    """X-Api-Key and its kind are secrets too: not sent to another origin after a
    redirect; a header that names no secret (Accept) goes on."""
    data = data_of(tmp_path)
    seen: list[dict[str, str]] = []

    def elsewhere(request: Request, out: Out) -> None:
        seen.append(dict(request.headers))
        serve_file(request, out, data)

    with hostile_server(elsewhere) as other:
        with hostile_server(lambda r, o: redirect(o, f"{other.url}/f.bin")) as first:
            headers = (
                ("X-Api-Key", "APIKEY"),
                ("X-Auth-Token", "T"),
                ("Cookie2", "c"),
                ("X-Amz-Credential", "AK"),
                ("X-JWT", "j"),
                ("Accept", "*/*"),
            )
            snapshot = fetch(manager, f"{first.url}/dl", tmp_path / "out", headers=headers)
        assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert seen
    secret = {"x-api-key", "x-auth-token", "cookie2", "x-amz-credential", "x-jwt"}
    assert all(not secret & set(s) for s in seen)
    assert all(s.get("accept") == "*/*" for s in seen)
    assert sha256_of(tmp_path / "out" / "f.bin") == sha256_bytes(data)


def test_a_cookie_value_beyond_ascii_goes_as_utf8(manager: DownloadManager, tmp_path: Path) -> None:
    data = data_of(tmp_path)
    seen: list[bytes] = []

    def site(request: Request, out: Out) -> None:
        seen.append(request.headers.get("cookie", "").encode("latin-1"))
        serve_file(request, out, data)

    with hostile_server(site) as server:
        snapshot = fetch(
            manager, f"{server.url}/f.bin", tmp_path / "out", headers=(("Cookie", "name=Zoë"),)
        )
    assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
    assert seen
    assert set(seen) == {"name=Zoë".encode()}
    assert sha256_of(tmp_path / "out" / "f.bin") == sha256_bytes(data)
