"""The bundled server's connections under abuse, on a real ``rangeload serve`` process
(issue 11, items 1, 2 and 4): heads that never end, pipelined floods and half-sent heads
are bounded as nginx bounds them, and well-behaved clients keep being served meanwhile."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.bench.peers import Peer, rangeload_serve
from tests.kit.waiting import wait_until

HEAD_TIMEOUT = 1.5
SMALL = b"small body"
REQUEST = b"GET /files/small.txt HTTP/1.1\r\nHost: x\r\n\r\n"


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def address(peer: Peer) -> tuple[str, int]:
    host, port = peer.url.removeprefix("http://").split(":")
    return host, int(port)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bounds")
    (folder / "small.txt").write_bytes(SMALL)
    (folder / "slow.bin").write_bytes(bytes(range(256)) * 1024)  # 256 KiB
    return folder


@pytest.fixture(scope="module")
def peer(root: Path) -> Iterator[Peer]:
    with rangeload_serve(root, "--header-timeout", str(HEAD_TIMEOUT)) as running:
        yield running


def served_quickly(peer: Peer, within: float = 1.0) -> bool:
    start = time.monotonic()
    response = httpx.get(f"{peer.url}/files/small.txt", timeout=within)
    return response.content == SMALL and time.monotonic() - start < within


def pour(sock: socket.socket, head: bytes, filler: bytes, most: int) -> int:
    """Send ``head`` then ``filler`` again and again until ``most`` bytes or the server stops
    taking them (a reset, a closed pipe, or 2 s without room); how much was sent."""
    sent = 0
    sock.settimeout(2)
    with contextlib.suppress(OSError):
        sock.sendall(head)
        sent = len(head)
        while sent < most:
            sock.sendall(filler)
            sent += len(filler)
    return sent


def answer_status(sock: socket.socket) -> bytes:
    """The status line the server sent, or b'' when it only closed (or reset)."""
    sock.settimeout(3)
    try:
        return sock.recv(4096).split(b"\r\n", 1)[0]
    except OSError:
        return b""


@pytest.mark.parametrize(
    "head",
    [b"GET /files/small.txt HTTP/1.1\r\nHost: x\r\nX-Endless: ", b"GET /files/"],
    ids=["header", "url"],
)
def test_an_endless_head_is_refused_before_it_piles_up(peer: Peer, head: bytes) -> None:
    """Two connections pour an endless head at once: each is cut off after a few KiB, the
    server does not grow, and a third client is served meanwhile (item 1)."""
    before = rss_mib(peer.pid)
    results: list[int] = []
    socks = [socket.create_connection(address(peer)) for _ in range(2)]
    pourers = [
        threading.Thread(target=lambda s=s: results.append(pour(s, head, b"a" * 65536, 256 << 20)))
        for s in socks
    ]
    for thread in pourers:
        thread.start()
    time.sleep(0.2)  # on purpose: the two are pouring when the third client comes
    assert served_quickly(peer)
    for thread in pourers:
        thread.join(30)
    for sock in socks:
        sock.close()
    # Before: the server read all 256 MiB of each and grew by hundreds of MiB.
    assert all(sent < 64 << 20 for sent in results), results
    assert rss_mib(peer.pid) - before < 16


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (
            b"GET /files/small.txt HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 40_000 + b"\r\n\r\n",
            b"431",
        ),
        (b"GET /files/" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"414"),
        (
            b"GET /files/small.txt HTTP/1.1\r\nHost: x\r\nCookie: " + b"c" * 12_000 + b"\r\n\r\n",
            b"200",
        ),
    ],
    ids=["big-headers", "long-url", "large-but-allowed"],
)
def test_a_head_over_the_limit_gets_its_status(
    peer: Peer, request_head: bytes, status: bytes
) -> None:
    with socket.create_connection(address(peer), timeout=5) as sock:
        sock.sendall(request_head)
        assert (
            answer_status(sock)
            == b"HTTP/1.1 "
            + status
            + b" "
            + {
                b"431": b"Request Header Fields Too Large",
                b"414": b"URI Too Long",
                b"200": b"OK",
            }[status]
        )


def test_a_pipelined_flood_stays_in_the_clients_socket(peer: Peer) -> None:
    """A client pipelines requests without ever reading an answer: the server stops reading
    it once a few are queued, and does not grow (item 2; before: 1.2 GB for 21.5 MB)."""
    before = rss_mib(peer.pid)
    with socket.create_connection(address(peer)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sent = pour(sock, b"", REQUEST * 1000, 48 << 20)
        assert served_quickly(peer)
        grown = rss_mib(peer.pid) - before
    assert sent < 24 << 20, f"the server took {sent >> 20} MiB of requests it could not answer"
    assert grown < 24, f"the server grew by {grown:.0f} MiB"


def test_pipelined_requests_are_all_answered_in_order(peer: Peer) -> None:
    count = 300
    with socket.create_connection(address(peer), timeout=5) as sock:
        sock.sendall(REQUEST * (count - 1) + REQUEST.replace(b"small.txt", b"slow.bin"))
        received = bytearray()
        while not received.endswith(bytes(range(256)) * 4):
            chunk = sock.recv(1 << 20)
            assert chunk, "closed early"
            received += chunk
    assert received.count(b"HTTP/1.1 200 OK") == count
    assert received.count(SMALL) == count - 1


def test_a_connection_ends_after_a_thousand_answers(peer: Peer) -> None:
    with socket.create_connection(address(peer), timeout=5) as sock:
        sock.sendall(REQUEST * 1001)
        received = bytearray()
        while chunk := sock.recv(1 << 20):
            received += chunk
    assert received.count(b"HTTP/1.1 200 OK") == 1000


def test_half_sent_heads_are_timed_out(peer: Peer) -> None:
    """A head sent a byte at a time is answered 408 and closed after the header timeout;
    one that never starts is closed without an answer (item 4)."""
    with (
        socket.create_connection(address(peer)) as slow,
        socket.create_connection(address(peer)) as idle,
    ):
        start = time.monotonic()
        head = iter(REQUEST * 10)
        slow.settimeout(0.25)
        answer = b""
        while time.monotonic() - start < HEAD_TIMEOUT + 3:
            with contextlib.suppress(OSError):
                slow.sendall(bytes([next(head)]))
            try:
                answer = slow.recv(4096)
                break
            except TimeoutError:
                continue
        waited = time.monotonic() - start
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout"), answer
        assert HEAD_TIMEOUT - 0.1 < waited < HEAD_TIMEOUT + 1
        idle.settimeout(2)
        assert idle.recv(4096) == b""


def test_the_header_timeout_never_cuts_an_answer_or_a_kept_alive_client(root: Path) -> None:
    """An answer that takes longer than the header timeout is sent whole, and a client that
    sends its next request soon on the same connection is answered."""
    with (
        rangeload_serve(root, "--header-timeout", "0.5", "--limit-rate", "100K") as slow_peer,
        httpx.Client(base_url=slow_peer.url, timeout=10) as client,
    ):
        assert client.get("/files/slow.bin").content == bytes(range(256)) * 1024  # 2.5 s
        time.sleep(0.3)  # on purpose: a kept-alive client's pause, under the header timeout
        assert client.get("/files/small.txt").content == SMALL
        assert client.get("/files/small.txt").content == SMALL


def test_slow_heads_cannot_lock_everyone_out(root: Path) -> None:
    """With few descriptors, 80 connections that send their heads a byte at a time would
    hold every one for ever; timed out, they give way to a plain client (item 4)."""
    with rangeload_serve(root, "--header-timeout", str(HEAD_TIMEOUT), max_files=48) as small:
        hogs: list[socket.socket] = []
        for _ in range(80):
            with contextlib.suppress(OSError):
                sock = socket.create_connection(address(small), timeout=1)
                sock.sendall(b"GET /")
                hogs.append(sock)

        def served() -> bool:
            for sock in hogs:  # each head goes on, a byte at a time
                with contextlib.suppress(OSError):
                    sock.send(b"a")
            with contextlib.suppress(httpx.HTTPError):
                return served_quickly(small, within=0.5)
            return False

        try:
            wait_until(served, HEAD_TIMEOUT + 6, what="a plain client served", interval=0)
        finally:
            for sock in hogs:
                sock.close()
