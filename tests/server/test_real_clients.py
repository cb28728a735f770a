"""Clients nobody here wrote (curl, wget, aria2c) download from the server, byte for byte."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.server.runner import ServerThread
from tests.kit.files import make_file, sha256_of
from tests.kit.servers import serving

SIZE = (6 << 20) + 123


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_file(tmp_path_factory.mktemp("clients") / "data.bin", SIZE, seed=9)


@pytest.fixture(scope="module")
def server(source: Path) -> Iterator[ServerThread]:
    with serving(source.parent, faults=True) as running:
        yield running


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not installed; .ci/run installs it")
    return path


def test_curl_range(server: ServerThread, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "part.bin"
    subprocess.run(
        [
            need("curl"),
            "-sf",
            "--range",
            "1000-1999999",
            "-o",
            str(out),
            server.url + "/files/data.bin",
        ],
        check=True,
    )
    assert out.read_bytes() == source.read_bytes()[1000:2_000_000]


def test_curl_resumes_a_partial_file(server: ServerThread, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "data.bin"
    out.write_bytes(source.read_bytes()[:2_500_001])
    subprocess.run(
        [need("curl"), "-sf", "-C", "-", "-o", str(out), server.url + "/files/data.bin"], check=True
    )
    assert sha256_of(out) == sha256_of(source)


def test_curl_resumes_after_a_dropped_connection(
    server: ServerThread, source: Path, tmp_path: Path
) -> None:
    out = tmp_path / "data.bin"
    url = server.url + "/files/data.bin?key=curl-drop&drop_after=1000000&drop_times=1"
    first = subprocess.run([need("curl"), "-s", "-o", str(out), url], check=False)
    assert first.returncode != 0
    assert 0 < out.stat().st_size < SIZE
    subprocess.run([need("curl"), "-sf", "-C", "-", "-o", str(out), url], check=True)
    assert sha256_of(out) == sha256_of(source)


def test_wget_continue(server: ServerThread, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "data.bin"
    out.write_bytes(source.read_bytes()[:777_777])
    subprocess.run(
        [need("wget"), "-q", "-c", "-O", str(out), server.url + "/files/data.bin"], check=True
    )
    assert sha256_of(out) == sha256_of(source)


def test_aria2c_eight_connections(server: ServerThread, source: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            need("aria2c"),
            "-q",
            "-x8",
            "-s8",
            "-k1M",
            "-d",
            str(tmp_path),
            "-o",
            "data.bin",
            "--allow-overwrite=true",
            server.url + "/files/data.bin",
        ],
        check=True,
        timeout=60,
    )
    assert sha256_of(tmp_path / "data.bin") == sha256_of(source)
