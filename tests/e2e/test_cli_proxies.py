"""``rangeload get`` through real proxies from Debian: tinyproxy (HTTP) and microsocks
(SOCKS5), each with and without a login it demands. Every download ends SHA-256 equal and
the proxy's own log or count shows it carried the bytes; a login the proxy wants and did
not get fails with a message that names the proxy, not the target."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.kit.files import make_file, sha256_of
from tests.kit.proxies import MICROSOCKS, SECRET, TINYPROXY, microsocks, tinyproxy
from tests.kit.servers import serving

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
SIZE = (3 << 20) + 17


Ran = tuple[subprocess.CompletedProcess[str], Path]  # the run, and the folder it wrote to


def get(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Ran:
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    full = base | {"RANGELOAD_DATA_DIR": str(tmp_path / "data")} | (env or {})
    out = tmp_path / f"out-{time.monotonic_ns()}"
    result = subprocess.run(
        [RANGELOAD, "-v", "get", "-d", str(out), *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )
    return result, out


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return make_file(tmp_path / "served" / "through.bin", SIZE, seed=51)


def downloaded(ran: Ran, source: Path) -> bool:
    path = ran[1] / source.name
    return path.exists() and sha256_of(path) == sha256_of(source)


@pytest.mark.skipif(TINYPROXY is None, reason="needs Debian's tinyproxy")
def test_an_http_proxy_given_set_in_the_environment_or_refused(
    tmp_path: Path, source: Path
) -> None:
    with serving(source.parent) as server, tinyproxy(tmp_path) as (port, log):
        url = f"{server.url}/files/{source.name}"
        given = get(tmp_path, "-x", f"http://127.0.0.1:{port}", f"{url}?via=x")
        assert given[0].returncode == 0, given[0].stderr
        assert downloaded(given, source)
        from_env = get(tmp_path, f"{url}?via=env", env={"http_proxy": f"127.0.0.1:{port}"})
        assert from_env[0].returncode == 0, from_env[0].stderr
        assert downloaded(from_env, source)
        direct = get(
            tmp_path, "--no-proxy", f"{url}?via=none", env={"http_proxy": f"127.0.0.1:{port}"}
        )
        assert direct[0].returncode == 0, direct[0].stderr
        assert downloaded(direct, source)
        carried = log.read_text()
    assert "via=x" in carried
    assert "via=env" in carried
    assert "via=none" not in carried  # --no-proxy went direct


@pytest.mark.skipif(TINYPROXY is None, reason="needs Debian's tinyproxy")
def test_an_http_proxy_that_wants_a_login(tmp_path: Path, source: Path) -> None:
    with serving(source.parent) as server, tinyproxy(tmp_path, login=True) as (port, _):
        url = f"{server.url}/files/{source.name}"
        refused = get(tmp_path, "-x", f"http://127.0.0.1:{port}", f"{url}?try=1")
        assert refused[0].returncode == 1
        assert f"the proxy 127.0.0.1:{port} asks for a login (407)" in refused[0].stderr
        taken = get(tmp_path, "-x", f"http://user:{SECRET}@127.0.0.1:{port}", f"{url}?try=2")
        assert taken[0].returncode == 0, taken[0].stderr
        assert downloaded(taken, source)
    assert SECRET not in taken[0].stdout + taken[0].stderr


@pytest.mark.skipif(MICROSOCKS is None, reason="needs Debian's microsocks")
@pytest.mark.parametrize("login", [False, True])
def test_a_socks5_proxy(tmp_path: Path, source: Path, login: bool) -> None:
    with serving(source.parent) as server, microsocks(login) as port:
        url = f"{server.url}/files/{source.name}?login={login}"
        if login:
            refused = get(tmp_path, "-x", f"socks5://127.0.0.1:{port}", url)
            assert refused[0].returncode == 1
            assert f"the proxy 127.0.0.1:{port} refused" in refused[0].stderr
        credentials = f"user:{SECRET}@" if login else ""
        taken = get(tmp_path, "-x", f"socks5://{credentials}127.0.0.1:{port}", url)
        assert taken[0].returncode == 0, taken[0].stderr
        assert downloaded(taken, source)
    assert SECRET not in taken[0].stdout + taken[0].stderr


@pytest.mark.skipif(TINYPROXY is None, reason="needs Debian's tinyproxy")
@pytest.mark.parametrize(
    "no_proxy",
    ["localhost,127.0.0.1,::1", "::1,127.0.0.0/8", "[::1],.localdomain,127.0.0.1:{port}", "*"],
)
def test_no_proxy_as_curl_reads_it_goes_direct(tmp_path: Path, source: Path, no_proxy: str) -> None:
    """A no_proxy with an IPv6 literal, a CIDR, a host:port or ``*`` (common defaults of
    desktops, Docker and CI images) sends the loopback download direct, not through the
    environment's proxy, and no other host's list entry makes it fail."""
    with serving(source.parent) as server, tinyproxy(tmp_path) as (port, log):
        url = f"{server.url}/files/{source.name}?via=direct"
        entries = no_proxy.format(port=server.url.rpartition(":")[2])
        ran = get(tmp_path, url, env={"http_proxy": f"127.0.0.1:{port}", "no_proxy": entries})
        assert ran[0].returncode == 0, ran[0].stderr
        assert downloaded(ran, source)
        env = {"http_proxy": f"127.0.0.1:{port}", "NO_PROXY": "::1,10.0.0.0/8"}
        via = get(tmp_path, url.replace("direct", "proxy"), env=env)
        assert via[0].returncode == 0, via[0].stderr
        assert downloaded(via, source)
        carried = log.read_text()
    assert "via=direct" not in carried
    assert "via=proxy" in carried


@pytest.mark.skipif(TINYPROXY is None, reason="needs Debian's tinyproxy")
def test_resume_goes_through_the_proxy_the_download_was_started_with(
    tmp_path: Path, source: Path
) -> None:
    """-x is kept with the download: a resume never goes direct behind the user's back."""
    with serving(source.parent) as server, tinyproxy(tmp_path, login=True) as (port, log):
        url = f"{server.url}/files/{source.name}?kept=1"
        refused = get(tmp_path, "-x", f"http://127.0.0.1:{port}", url)
        assert refused[0].returncode == 1
        base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        resumed = subprocess.run(
            [RANGELOAD, "resume", "1"],
            capture_output=True,
            text=True,
            env=base | {"RANGELOAD_DATA_DIR": str(tmp_path / "data")},
            timeout=60,
            check=False,
        )
        assert resumed.returncode == 1, "the resume went direct"
        assert f"the proxy 127.0.0.1:{port} asks for a login (407)" in resumed.stderr
        assert log.read_text().count("kept=1") >= 2
