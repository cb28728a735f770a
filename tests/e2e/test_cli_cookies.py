"""``rangeload get --load-cookies`` carries cookies as cookies: each request (every
redirect hop, every range request, a resume in a new process) sends those that match its
own URL, as curl's cookie engine does; real curl on the same server is the reference.
127.0.0.1 and localhost are two hosts of one loopback server. (curl 7.88 sends a Secure
cookie to http://127.0.0.1, a loopback "secure context"; we never send one over http.)"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import get, stored_done
from tests.e2e.test_cli_request_flags import rangeload
from tests.kit.files import make_file, sha256_bytes, sha256_of
from tests.kit.hostile import HostileServer, Out, Request, hostile_server, serve_file
from tests.kit.waiting import wait_until

CURL = shutil.which("curl")
SIZE = (3 << 20) + 11

# Each a cookie the link's hops may or may not get: only site= (127.0.0.1) and cdn=
# (localhost) match a request; the Secure one never goes over http, the expired one
# never goes, the other domain's never goes.
JAR = (
    "# Netscape HTTP Cookie File\n"
    "127.0.0.1\tFALSE\t/\tFALSE\t0\tsite\ts1-value\n"
    "localhost\tFALSE\t/file\tFALSE\t0\tcdn\tc1-value\n"
    "127.0.0.1\tFALSE\t/\tTRUE\t0\tsecure\tover-https-only\n"
    "localhost\tFALSE\t/\tFALSE\t1000\told\texpired-long-ago\n"
    ".other.example\tTRUE\t/\tFALSE\t0\tfar\tsomeone-elses\n"
)


@pytest.fixture
def data(tmp_path: Path) -> bytes:
    return make_file(tmp_path / "src.bin", SIZE, seed=21).read_bytes()


@pytest.fixture
def jar(tmp_path: Path) -> Path:
    path = tmp_path / "cookies.txt"
    path.write_text(JAR)
    return path


Seen = list[tuple[str, str, str, str]]  # host, path, Cookie header, Range header


@pytest.fixture
def two_hosts(data: bytes) -> Iterator[tuple[HostileServer, Seen]]:
    """``/start`` on 127.0.0.1 wants ``site=``, and redirects to localhost's
    ``/file/t.bin``, which wants ``cdn=``."""
    seen: Seen = []

    def site(request: Request, out: Out) -> None:
        host = request.headers.get("host", "").rsplit(":", 1)[0]
        cookie = request.headers.get("cookie", "")
        seen.append((host, request.path, cookie, request.headers.get("range", "")))
        sent = cookie.split("; ")
        if host == "127.0.0.1" and request.path == "/start" and "site=s1-value" in sent:
            port = request.headers["host"].rsplit(":", 1)[1]
            out.head(
                302, {"Location": f"http://localhost:{port}/file/t.bin", "Content-Length": "0"}
            )
        elif host == "localhost" and request.path == "/file/t.bin" and "cdn=c1-value" in sent:
            serve_file(request, out, data)
        else:
            out.head(403, {"Content-Length": "0"})

    with hostile_server(site) as server:
        yield server, seen


@pytest.mark.skipif(CURL is None, reason="needs curl")
def test_each_hop_gets_the_cookies_of_its_own_url_as_curl_sends_them(
    tmp_path: Path, data: bytes, jar: Path, two_hosts: tuple[HostileServer, Seen]
) -> None:
    server, seen = two_hosts
    link = f"{server.url}/start"
    assert CURL is not None
    by_curl = tmp_path / "curl.bin"
    subprocess.run(
        [CURL, "-s", "-f", "-L", "-b", str(jar), "-o", str(by_curl), link], check=True, timeout=60
    )
    assert sha256_of(by_curl) == sha256_bytes(data)
    seen.clear()
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "out"
    result = rangeload(
        "get", "-c", "4", "-d", str(out), "--load-cookies", str(jar), link, home=home
    )
    assert result.returncode == 0, result.stderr
    assert sha256_of(out / "t.bin") == sha256_bytes(data)
    ranges = [s for s in seen if s[1] == "/file/t.bin" and s[3] != "bytes=0-"]
    assert len(ranges) >= 2  # the range requests went to the final URL, cookie and all
    assert {(host, cookie) for host, _, cookie, _ in seen} == {
        ("127.0.0.1", "site=s1-value"),
        ("localhost", "cdn=c1-value"),
    }
    for text in (result.stdout + result.stderr, rangeload("list", home=home).stdout):
        assert "s1-value" not in text
        assert "c1-value" not in text


def held(request: Request, out: Out, data: bytes, release: threading.Event) -> None:
    """The asked range's head, its first 300 KiB, then nothing until ``release``."""
    first, last = request.range or (0, None)
    last = len(data) - 1 if last is None else min(last, len(data) - 1)
    out.head(
        206,
        {
            "Content-Range": f"bytes {first}-{last}/{len(data)}",
            "Content-Length": str(last - first + 1),
            "ETag": '"v1"',
            "Last-Modified": "Tue, 01 Sep 2026 10:00:00 GMT",
            "Accept-Ranges": "bytes",
        },
    )
    out.body(data[first : min(last + 1, first + 300 * 1024)])
    release.wait(30)
    out.close()


def test_a_cookie_a_redirect_set_goes_to_every_range_and_after_a_kill(
    tmp_path: Path, data: bytes, jar: Path, data_dir: Path
) -> None:
    """``/dl`` sets ``hop=`` and redirects to ``/real/t.bin``, which wants it (and the
    file's ``site=``). The first run is killed with -9 while the file's bytes are held
    back; the second goes straight to the final URL: the hop's cookie came from the store."""
    release = threading.Event()
    seen: Seen = []

    def site(request: Request, out: Out) -> None:
        cookie = request.headers.get("cookie", "")
        seen.append(("", request.path, cookie, request.headers.get("range", "")))
        if request.path == "/dl":
            out.head(
                302,
                [
                    ("Location", "/real/t.bin"),
                    ("Content-Length", "0"),
                    ("Set-Cookie", "hop=h1; Path=/real"),
                ],
            )
        elif request.path == "/real/t.bin" and sorted(cookie.split("; ")) == [
            "hop=h1",
            "site=s1-value",
        ]:
            if not release.is_set():
                held(request, out, data, release)
            else:
                serve_file(request, out, data)
        else:
            out.head(403, {"Content-Length": "0"})

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with hostile_server(site) as server:
        args = ("-q", "-c", "2", "-d", str(out_dir), "--load-cookies", str(jar), f"{server.url}/dl")
        first = get(*args, env_dir=data_dir)
        wait_until(lambda: stored_done(data_dir) > 0, 20, what="bytes saved", interval=0.2)
        first.kill()  # SIGKILL: nothing is saved on the way out
        first.communicate()
        kept = stored_done(data_dir)
        assert kept > 0
        release.set()
        seen.clear()
        second = get(*args, env_dir=data_dir)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
    assert sha256_of(out_dir / "t.bin") == sha256_bytes(data)
    assert seen
    assert all(path == "/real/t.bin" for _, path, _, _ in seen)  # no redirect asked again
    assert all(sorted(c.split("; ")) == ["hop=h1", "site=s1-value"] for _, _, c, _ in seen)
    assert not any(r.startswith("bytes=0-") for _, _, _, r in seen)  # a resume, not anew
