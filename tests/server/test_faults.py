"""Each fault parameter does what the README says, and only with faults enabled."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest

from gui_app.server.faults import CHANGE_XOR
from gui_app.server.runner import ServerThread
from tests.kit.servers import serving
from tests.server.conftest import ODD_SIZE


def url(**params: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"key": uuid.uuid4().hex, **params}.items())
    return f"/files/odd.bin?{query}"


@pytest.fixture(scope="module")
def odd(root: Path) -> bytes:
    return (root / "odd.bin").read_bytes()


def test_without_faults_the_query_is_ignored(root: Path, odd: bytes) -> None:
    with serving(root) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/files/odd.bin?status=500&ignore_range=1").content == odd


def test_unknown_or_bad_parameters_are_400(client: httpx.Client) -> None:
    assert client.get("/files/odd.bin?bogus=1").status_code == 400
    assert client.get("/files/odd.bin?drop_after=-3").status_code == 400
    assert "rate" in client.get("/files/odd.bin?rate=fast").text


def test_status(client: httpx.Client) -> None:
    for code in (403, 404, 410, 500):
        assert client.get(url(status=code)).status_code == code


def test_fail_then_succeed_with_retry_after(client: httpx.Client, odd: bytes) -> None:
    target = url(fail=2, retry_after=7)
    for _ in range(2):
        response = client.get(target)
        assert response.status_code == 503
        assert response.headers["retry-after"] == "7"
    assert client.get(target).content == odd


def test_drop_after(client: httpx.Client, odd: bytes) -> None:
    target = url(drop_after=100_000, drop_times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(target)
    assert client.get(target).content == odd  # only the first request drops


def test_drop_after_delivers_exactly_n_bytes(server_url: str) -> None:
    got = bytearray()

    def read_all() -> None:
        with (
            httpx.Client(base_url=server_url) as http,
            http.stream("GET", url(drop_after=300_000)) as r,
        ):
            for chunk in r.iter_raw():
                got.extend(chunk)

    with pytest.raises(httpx.RemoteProtocolError):
        read_all()
    assert len(got) == 300_000


@pytest.fixture
def server_url(server: ServerThread) -> str:
    return server.url


def test_ignore_range(client: httpx.Client, odd: bytes) -> None:
    response = client.get(url(ignore_range=1), headers={"Range": "bytes=0-9"})
    assert (response.status_code, response.content) == (200, odd)


def test_stall(client: httpx.Client, odd: bytes) -> None:
    start = time.monotonic()
    response = client.get(url(stall=1, stall_after=1000))
    assert response.content == odd
    assert time.monotonic() - start >= 1.0


def test_stall_times_limits_the_stall_to_the_first_requests(client: httpx.Client) -> None:
    target = url(stall=1, stall_after=10, stall_times=1)
    client.get(target)
    start = time.monotonic()
    client.get(target)
    assert time.monotonic() - start < 0.5


def test_rate(client: httpx.Client) -> None:
    start = time.monotonic()
    response = client.get(url(rate="500K"), headers={"Range": "bytes=0-511999"})
    elapsed = time.monotonic() - start
    assert len(response.content) == 512_000
    assert 0.8 <= elapsed <= 1.6


def test_slow_request_throttles_only_the_kth(client: httpx.Client) -> None:
    target = url(slow_request=2, slow_rate="100K")
    timings = []
    for _ in range(3):
        start = time.monotonic()
        client.get(target, headers={"Range": "bytes=0-102399"})
        timings.append(time.monotonic() - start)
    assert timings[1] >= 0.8
    assert timings[0] < 0.5
    assert timings[2] < 0.5


def test_change_after_serves_a_new_version(client: httpx.Client, odd: bytes) -> None:
    target = url(change_after=1)
    first = client.get(target, headers={"Range": "bytes=0-99"})
    second = client.get(target, headers={"Range": "bytes=0-99"})
    assert first.content == odd[:100]
    assert second.content == bytes(b ^ CHANGE_XOR for b in odd[:100])
    assert second.headers["etag"] != first.headers["etag"]
    assert not second.headers["etag"].startswith("W/")
    assert httpx.Headers(second.headers)["last-modified"] != first.headers["last-modified"]
    # A resume with the old validator gets the whole new version (If-Range fails).
    resumed = client.get(target, headers={"Range": "bytes=100-", "If-Range": first.headers["etag"]})
    assert resumed.status_code == 200
    assert len(resumed.content) == ODD_SIZE


def test_change_size(client: httpx.Client, odd: bytes) -> None:
    grown = client.get(url(change_after=0, change_size=10))
    assert len(grown.content) == ODD_SIZE + 10
    assert grown.content[:ODD_SIZE] == bytes(b ^ CHANGE_XOR for b in odd)
    shrunk = client.get(url(change_after=0, change_size=-10), headers={"Range": "bytes=-5"})
    assert (
        shrunk.headers["content-range"] == f"bytes {ODD_SIZE - 15}-{ODD_SIZE - 11}/{ODD_SIZE - 10}"
    )


def test_html_after(client: httpx.Client, odd: bytes) -> None:
    target = url(html_after=1)
    assert client.get(target).content == odd
    page = client.get(target, headers={"Range": "bytes=10-"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert b"sign in" in page.content
