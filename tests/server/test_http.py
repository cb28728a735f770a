"""Conformance of /files/ over real HTTP: headers, ranges, multipart, conditionals, HEAD."""

from __future__ import annotations

import email.utils
import re
from pathlib import Path

import httpx
import pytest

from gui_app.server.runner import ServerThread
from tests.server.conftest import ODD_SIZE


@pytest.fixture(scope="module")
def odd(root: Path) -> bytes:
    return (root / "odd.bin").read_bytes()


def test_whole_file_with_every_header(client: httpx.Client, odd: bytes) -> None:
    response = client.get("/files/odd.bin")
    assert response.status_code == 200
    assert response.content == odd
    assert response.headers["content-length"] == str(ODD_SIZE)
    assert response.headers["accept-ranges"] == "bytes"
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"', response.headers["etag"])
    assert email.utils.parsedate_to_datetime(response.headers["last-modified"])
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="odd.bin"'


def test_content_type_comes_from_the_extension(client: httpx.Client) -> None:
    assert client.get("/files/notes.txt").headers["content-type"] == "text/plain; charset=utf-8"


def test_non_ascii_name_gets_rfc6266_filename_star(client: httpx.Client) -> None:
    response = client.get("/files/€ rates.pdf")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"_ rates.pdf\"; filename*=UTF-8''%E2%82%AC%20rates.pdf"
    )


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=10-19", 10, 19),
        ("bytes=1048576-", 1048576, ODD_SIZE - 1),
        ("bytes=-7", ODD_SIZE - 7, ODD_SIZE - 1),
        ("bytes=-99999999", 0, ODD_SIZE - 1),
        ("bytes=5-99999999", 5, ODD_SIZE - 1),
    ],
)
def test_single_range(client: httpx.Client, odd: bytes, header: str, first: int, last: int) -> None:
    response = client.get("/files/odd.bin", headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {first}-{last}/{ODD_SIZE}"
    assert response.headers["content-length"] == str(last - first + 1)
    assert response.content == odd[first : last + 1]


def _parts(response: httpx.Response) -> list[tuple[str, bytes]]:
    boundary = response.headers["content-type"].split("boundary=")[1]
    body = response.content
    assert body.endswith(f"\r\n--{boundary}--\r\n".encode())
    parts = []
    for raw in body.split(f"--{boundary}".encode())[1:-1]:
        head, _, data = raw.partition(b"\r\n\r\n")
        content_range = re.search(rb"Content-Range: (.*)\r\n", head + b"\r\n")
        assert content_range is not None
        parts.append((content_range.group(1).decode(), data.removesuffix(b"\r\n")))
    return parts


def test_multiple_ranges_are_multipart(client: httpx.Client, odd: bytes) -> None:
    response = client.get("/files/odd.bin", headers={"Range": "bytes=0-9,100-109,-5"})
    assert response.status_code == 206
    assert response.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert int(response.headers["content-length"]) == len(response.content)
    assert _parts(response) == [
        (f"bytes 0-9/{ODD_SIZE}", odd[0:10]),
        (f"bytes 100-109/{ODD_SIZE}", odd[100:110]),
        (f"bytes {ODD_SIZE - 5}-{ODD_SIZE - 1}/{ODD_SIZE}", odd[-5:]),
    ]


def test_many_overlapping_ranges_never_amplify(client: httpx.Client, odd: bytes) -> None:
    header = "bytes=" + ",".join(f"{i}-" for i in range(60))
    response = client.get("/files/odd.bin", headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 0-{ODD_SIZE - 1}/{ODD_SIZE}"
    assert len(response.content) == ODD_SIZE


def test_too_many_ranges_send_the_file_once(client: httpx.Client, odd: bytes) -> None:
    header = "bytes=" + ",".join(f"{i}-{i}" for i in range(0, 400, 2))
    response = client.get("/files/odd.bin", headers={"Range": header})
    assert response.status_code == 200
    assert response.content == odd


@pytest.mark.parametrize("name", ["odd.bin", "empty.bin"])
def test_unsatisfiable_is_416_with_the_size(client: httpx.Client, name: str, root: Path) -> None:
    size = (root / name).stat().st_size
    if size == 0:
        # An empty file has no satisfiable range; the header is ignored (RFC 9110 14.2).
        response = client.get(f"/files/{name}", headers={"Range": "bytes=0-0"})
        assert (response.status_code, response.content) == (200, b"")
        return
    response = client.get(f"/files/{name}", headers={"Range": f"bytes={size}-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"


@pytest.mark.parametrize("header", ["bytes=5-4", "bytes=x", "lines=0-1", "bytes 0-1", "bytes=--1"])
def test_malformed_or_unknown_ranges_are_ignored(
    client: httpx.Client, odd: bytes, header: str
) -> None:
    response = client.get("/files/odd.bin", headers={"Range": header})
    assert response.status_code == 200
    assert response.content == odd


def test_one_byte_file(client: httpx.Client, root: Path) -> None:
    data = (root / "one.bin").read_bytes()
    response = client.get("/files/one.bin", headers={"Range": "bytes=-5"})
    assert (response.status_code, response.content) == (206, data)
    assert response.headers["content-range"] == "bytes 0-0/1"
    assert client.get("/files/one.bin", headers={"Range": "bytes=1-"}).status_code == 416


def test_empty_file(client: httpx.Client) -> None:
    response = client.get("/files/empty.bin")
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-length"] == "0"


def test_head_has_get_headers_and_no_body(client: httpx.Client) -> None:
    get = client.get("/files/odd.bin")
    head = client.head("/files/odd.bin", headers={"Range": "bytes=0-9"})
    assert head.status_code == 200  # Range is defined for GET only
    assert head.content == b""
    for name in ("content-length", "etag", "last-modified", "content-type", "accept-ranges"):
        assert head.headers[name] == get.headers[name]


def test_other_methods_are_not_allowed(client: httpx.Client) -> None:
    response = client.post("/files/odd.bin", headers={"Range": "bytes=0-1"})
    assert response.status_code == 405


class TestConditionals:
    @pytest.fixture
    def validators(self, client: httpx.Client) -> tuple[str, str]:
        response = client.head("/files/odd.bin")
        return response.headers["etag"], response.headers["last-modified"]

    def test_if_none_match_gives_304(
        self, client: httpx.Client, validators: tuple[str, str]
    ) -> None:
        etag, _ = validators
        for value in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
            response = client.get("/files/odd.bin", headers={"If-None-Match": value})
            assert response.status_code == 304, value
            assert response.headers["etag"] == etag
            assert response.content == b""
        assert client.head("/files/odd.bin", headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/files/odd.bin", headers={"If-None-Match": '"x"'}).status_code == 200

    def test_if_modified_since(self, client: httpx.Client, validators: tuple[str, str]) -> None:
        _, date = validators
        assert client.get("/files/odd.bin", headers={"If-Modified-Since": date}).status_code == 304
        old = "Mon, 01 Jan 1990 00:00:00 GMT"
        assert client.get("/files/odd.bin", headers={"If-Modified-Since": old}).status_code == 200
        bad = client.get("/files/odd.bin", headers={"If-Modified-Since": "yesterday"})
        assert bad.status_code == 200

    def test_if_none_match_wins_over_if_modified_since(
        self, client: httpx.Client, validators: tuple[str, str]
    ) -> None:
        _, date = validators
        headers = {"If-None-Match": '"other"', "If-Modified-Since": date}
        assert client.get("/files/odd.bin", headers=headers).status_code == 200

    def test_if_match(self, client: httpx.Client, validators: tuple[str, str]) -> None:
        etag, _ = validators
        assert client.get("/files/odd.bin", headers={"If-Match": etag}).status_code == 200
        assert client.get("/files/odd.bin", headers={"If-Match": "*"}).status_code == 200
        assert client.get("/files/odd.bin", headers={"If-Match": '"x"'}).status_code == 412
        # If-Match uses the strong comparison: a weak tag never matches.
        assert client.get("/files/odd.bin", headers={"If-Match": f"W/{etag}"}).status_code == 412

    def test_if_unmodified_since(self, client: httpx.Client, validators: tuple[str, str]) -> None:
        _, date = validators
        old = "Mon, 01 Jan 1990 00:00:00 GMT"
        assert client.get("/files/odd.bin", headers={"If-Unmodified-Since": old}).status_code == 412
        ok = client.get("/files/odd.bin", headers={"If-Unmodified-Since": date})
        assert ok.status_code == 200
        # If-Match present: If-Unmodified-Since is not evaluated (13.2.2 step 2).
        etag, _ = validators
        both = {"If-Match": etag, "If-Unmodified-Since": old}
        assert client.get("/files/odd.bin", headers=both).status_code == 200

    def test_precondition_failure_beats_not_modified(
        self, client: httpx.Client, validators: tuple[str, str]
    ) -> None:
        etag, _ = validators
        headers = {"If-Match": '"x"', "If-None-Match": etag}
        assert client.get("/files/odd.bin", headers=headers).status_code == 412

    @pytest.mark.parametrize(
        ("if_range", "expect"),
        [
            ("etag", 206),
            ("weak", 200),
            ("other", 200),
            ("date", 206),
            ("olddate", 200),
            ("garbage", 200),
        ],
    )
    def test_if_range(
        self,
        client: httpx.Client,
        validators: tuple[str, str],
        odd: bytes,
        if_range: str,
        expect: int,
    ) -> None:
        etag, date = validators
        value = {
            "etag": etag,
            "weak": f"W/{etag}",
            "other": '"something-else"',
            "date": date,
            "olddate": "Mon, 01 Jan 1990 00:00:00 GMT",
            "garbage": "not a validator",
        }[if_range]
        response = client.get("/files/odd.bin", headers={"Range": "bytes=10-19", "If-Range": value})
        assert response.status_code == expect
        assert response.content == (odd[10:20] if expect == 206 else odd)


def test_index_and_json_listing(client: httpx.Client, root: Path) -> None:
    listing = client.get("/api/files").json()
    paths = [entry["path"] for entry in listing]
    assert paths == sorted(paths)
    assert {"odd.bin", "sub/inner.bin", "€ rates.pdf", "empty.bin"} <= set(paths)
    assert not any(p.startswith(".") or "/." in p for p in paths)
    assert "escape.txt" not in paths  # symlinks are not listed
    odd_entry = next(e for e in listing if e["path"] == "odd.bin")
    assert odd_entry["size"] == ODD_SIZE
    assert odd_entry["url"] == "/files/odd.bin"
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/files/%E2%82%AC%20rates.pdf"' in page.text
    assert "secret" not in page.text


def test_every_listed_url_serves_its_file(client: httpx.Client, root: Path) -> None:
    for entry in client.get("/api/files").json():
        response = client.get(entry["url"])
        assert response.status_code == 200, entry
        assert response.content == (root / entry["path"]).read_bytes()


def test_limit_rate_caps_each_connection(root: Path) -> None:
    from tests.kit.servers import serving

    with serving(root, limit_rate=400_000) as slow, httpx.Client(base_url=slow.url) as http:
        import time

        start = time.monotonic()
        response = http.get("/files/odd.bin", headers={"Range": "bytes=0-399999"})
        elapsed = time.monotonic() - start
    assert response.status_code == 206
    assert len(response.content) == 400_000
    assert 0.8 <= elapsed <= 1.6


def test_server_thread_reports_its_url(server: ServerThread) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
    assert server.url.endswith(str(server.port))
