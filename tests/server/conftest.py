"""A folder of awkward files and a live server (faults on) shared by the server tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gui_app.server.runner import ServerThread
from tests.kit.files import make_file
from tests.kit.servers import serving

ODD_SIZE = (1 << 20) + 7


@pytest.fixture(scope="session")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("served")
    folder = base / "root"
    make_file(folder / "odd.bin", ODD_SIZE, seed=1)
    make_file(folder / "one.bin", 1, seed=2)
    (folder / "empty.bin").write_bytes(b"")
    (folder / "notes.txt").write_text("hello, ranges\n")
    make_file(folder / "€ rates.pdf", 1000, seed=3)
    make_file(folder / "sub" / "inner.bin", 4096, seed=4)
    (folder / ".secret").write_text("hidden")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("hidden too")
    (base / "outside.txt").write_text("must never be served")
    (folder / "escape.txt").symlink_to(base / "outside.txt")
    (folder / "inner-link.bin").symlink_to(folder / "one.bin")
    return folder


@pytest.fixture(scope="session")
def server(root: Path) -> Iterator[ServerThread]:
    with serving(root, faults=True) as running:
        yield running


@pytest.fixture
def client(server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http
