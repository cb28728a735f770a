"""``rangeload refresh ID URL``: a download whose link expired goes on from a fresh link
with every byte it had (the server sends only the rest, counted), and a link to another
file (another ETag, another size) is refused with what differs, changing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.engine.disk.store import STORE_NAME, Store
from gui_app.server.app import create_app
from gui_app.server.runner import ServerThread
from tests.kit.files import make_file, sha256_of
from tests.kit.servers import CountingApp

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
SIZE = (6 << 20) + 999


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServerThread, CountingApp, Path]]:
    root = tmp_path / "served"
    source = make_file(root / "big.bin", SIZE, seed=61)
    make_file(root / "twin.bin", SIZE, seed=62)  # same size, other bytes and ETag
    make_file(root / "short.bin", SIZE - 1000, seed=61)
    app = CountingApp(create_app(root, faults=True))
    with ServerThread(app) as server:  # type: ignore[arg-type]  # any ASGI app serves
        yield server, app, source


def rangeload(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RANGELOAD_DATA_DIR=str(data))
    return subprocess.run(
        [RANGELOAD, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def the_record(data: Path) -> tuple[int, str, int]:
    store = Store(data / STORE_NAME)
    try:
        [record] = store.all()
        return record.id, record.url, record.done_bytes
    finally:
        store.close()


def expired_download(data: Path, out: Path, server: ServerThread) -> tuple[int, int]:
    """A download whose link starts answering a sign-in page after 2 MB: its id and the
    bytes it kept."""
    url = f"{server.url}/files/big.bin?key=old&rate=4M&drop_after=2000000&html_after=1"
    first = rangeload(data, "get", "-c", "1", "-d", str(out), url)
    assert first.returncode == 1
    assert "link probably expired" in first.stderr
    download_id, _, kept = the_record(data)
    assert 0 < kept < SIZE
    return download_id, kept


def test_a_fresh_link_goes_on_with_every_byte(
    served: tuple[ServerThread, CountingApp, Path], tmp_path: Path
) -> None:
    server, counter, source = served
    data, out = tmp_path / "data", tmp_path / "out"
    download_id, kept = expired_download(data, out, server)
    before = counter.sent
    fresh = f"{server.url}/files/big.bin?key=fresh"
    result = rangeload(data, "refresh", str(download_id), fresh)
    assert result.returncode == 0, result.stderr
    assert "new address taken" in result.stdout
    assert sha256_of(out / "big.bin") == sha256_of(source)
    fetched_again = counter.sent - before
    print(f"kept {kept} bytes; the server sent {fetched_again} for the rest ({SIZE - kept})")
    assert fetched_again <= SIZE - kept + 1  # the rest, and the one byte that checked it
    assert the_record(data)[1] == fresh


@pytest.mark.parametrize(("name", "words"), [("twin.bin", "ETag"), ("short.bin", "instead of")])
def test_a_link_to_another_file_is_refused_and_changes_nothing(
    served: tuple[ServerThread, CountingApp, Path], tmp_path: Path, name: str, words: str
) -> None:
    server, _, _ = served
    data, out = tmp_path / "data", tmp_path / "out"
    download_id, kept = expired_download(data, out, server)
    _, old_url, _ = the_record(data)
    result = rangeload(data, "refresh", str(download_id), f"{server.url}/files/{name}")
    assert result.returncode == 1
    assert "serves another file" in result.stderr
    assert words in result.stderr
    assert the_record(data) == (download_id, old_url, kept)
    assert "--restart starts over from the new address" in result.stderr


def test_restart_starts_over_from_another_file_when_asked(
    served: tuple[ServerThread, CountingApp, Path], tmp_path: Path
) -> None:
    server, _, _ = served
    data, out = tmp_path / "data", tmp_path / "out"
    download_id, _ = expired_download(data, out, server)
    twin = f"{server.url}/files/twin.bin"
    result = rangeload(data, "refresh", "--restart", str(download_id), twin)
    assert result.returncode == 0, result.stderr
    assert "serves another file" in result.stdout
    assert "starting over from it" in result.stdout
    assert sha256_of(out / "big.bin") == sha256_of(tmp_path / "served" / "twin.bin")
    assert the_record(data)[1:] == (twin, SIZE)
