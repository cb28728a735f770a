"""File names no encoding forgets and links swapped under the server's feet (issue 11,
items 5, 6 and 8): every file listed is served, with its own bytes, and nothing outside
the folder is ever served, however fast a link is swapped in and out."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from urllib.parse import quote_from_bytes

import httpx
import pytest

from tests.kit.servers import serving

ODD_NAMES = [b"caf\xe9.bin", b"line\nbreak.txt", b"carriage\rreturn.txt", b"\xff\xfe raw"]


@pytest.fixture
def odd_root(tmp_path: Path) -> Path:
    root = tmp_path / "odd"
    root.mkdir()
    for i, name in enumerate(ODD_NAMES):
        # fsdecode keeps the bytes that are not UTF-8 as surrogates: the name on disk is `name`
        (root / os.fsdecode(name)).write_bytes(bytes([i]) * (100 + i))
    (root / "plain.txt").write_text("plain")
    return root


def test_every_listed_file_is_served_whatever_its_name(odd_root: Path) -> None:
    with serving(odd_root) as server, httpx.Client(base_url=server.url) as client:
        index = client.get("/")
        assert index.status_code == 200
        listing = client.get("/api/files")
        assert listing.status_code == 200
        entries = listing.json()
        assert len(entries) == len(ODD_NAMES) + 1
        for entry in entries:
            # httpx would normalise the path: send the listed URL as raw bytes.
            response = client.get(httpx.URL(server.url + entry["url"]))
            assert response.status_code == 200, entry
            assert len(response.content) == entry["size"]
        for i, name in enumerate(ODD_NAMES):
            url = server.url + "/files/" + quote_from_bytes(name, safe="")
            response = client.get(httpx.URL(url))
            assert response.status_code == 200, name
            assert response.content == bytes([i]) * (100 + i)
            assert name.decode("latin-1") not in index.text  # escaped, never raw


def test_a_link_swapped_in_and_out_never_serves_what_lies_outside(tmp_path: Path) -> None:
    base = tmp_path / "swap"
    root = base / "root"
    (root / "dir").mkdir(parents=True)
    (root / "dir" / "file.bin").write_bytes(b"inside" * 100)
    outside = base / "outside"
    outside.mkdir()
    (outside / "file.bin").write_bytes(b"SECRET" * 100)
    stop = threading.Event()
    swaps = [0]

    def swap() -> None:
        inside, parked, link = root / "dir", root / "parked", root / "link"
        while not stop.is_set():
            inside.rename(parked)
            link.symlink_to(outside)
            link.rename(inside)  # dir is now a link to outside
            inside.unlink()
            parked.rename(inside)
            swaps[0] += 1

    swapper = threading.Thread(target=swap, daemon=True)
    leaked = served = requests = 0
    # Before the fix about 9 % of answers leaked: a thousand requests find it, however
    # loaded the machine; the file inside is served in the moments the folder is back.
    deadline = time.monotonic() + 30
    with serving(root) as server, httpx.Client(base_url=server.url) as client:
        swapper.start()
        try:
            while requests < 3000 and time.monotonic() < deadline:
                response = client.get("/files/dir/file.bin")
                requests += 1
                if response.status_code == 200:
                    served += 1
                    leaked += b"SECRET" in response.content
        finally:
            stop.set()
            swapper.join(5)
    assert requests >= 1000
    assert served >= 10, f"{served} of {requests} requests served the file inside"
    assert swaps[0] >= 1000, f"{swaps[0]} swaps"
    assert leaked == 0, f"the file outside was served {leaked} times"
