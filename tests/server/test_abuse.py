"""The bundled server under abuse, as a real ``rangeload serve`` process (issue 11, items
3 and 7): a client that hangs up mid-file frees the server at once, and fault parameters
are validated (400 with the reason) and bounded, never a 500, a spin or an endless hold."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gui_app.server.faults import FaultCounters
from tests.bench.peers import Peer, rangeload_serve

BIG = 2 << 30  # sparse: reading it is reading the page cache's zeros, as fast as it gets


def read_bytes_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar")


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    root = tmp_path_factory.mktemp("abuse")
    with (root / "big.bin").open("wb") as out:
        out.truncate(BIG)
    (root / "small.txt").write_text("small")
    with rangeload_serve(root, "--faults") as running:
        yield running


def test_a_client_that_hangs_up_mid_file_frees_the_server(peer: Peer) -> None:
    host, port = peer.url.removeprefix("http://").split(":")
    before = read_bytes_of(peer.pid)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        got = 0
        while got < 64 * 1024:
            got += len(sock.recv(65536))
    start = time.monotonic()
    response = httpx.get(f"{peer.url}/files/small.txt", timeout=2)
    assert response.content == b"small"
    assert time.monotonic() - start < 0.5
    time.sleep(1.0)  # on purpose: time in which a server that reads on would read on
    read = read_bytes_of(peer.pid) - before
    assert read < 64 << 20, f"the server read {read >> 20} MiB after the client left"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("stall=nan", "stall"),
        ("stall=inf", "stall"),
        ("stall=1e308", "stall"),
        ("rate=" + "9" * 400, "rate"),
        ("change_after=0&change_size=99999999999999999", "change_size"),
        ("drop_after=" + "9" * 50, "drop_after"),
        ("retry_after=10000000", "retry_after"),
        ("fail=-1", "fail"),
        ("status=0", "status"),
    ],
)
def test_bad_fault_parameters_get_400_with_the_reason(peer: Peer, query: str, words: str) -> None:
    response = httpx.get(f"{peer.url}/files/small.txt?{query}", timeout=5)
    assert response.status_code == 400, response.text
    assert words in response.text


def test_fault_counters_keep_only_the_recent_keys() -> None:
    counters = FaultCounters(limit=100)
    for i in range(10_000):
        assert counters.next("f", f"key={i}") == 1
    assert len(counters) == 100
    assert counters.next("f", "key=9999") == 2


def test_the_server_process_is_still_well(peer: Peer) -> None:
    assert Path(f"/proc/{peer.pid}").exists()
    assert httpx.get(f"{peer.url}/files/small.txt", timeout=2).content == b"small"
