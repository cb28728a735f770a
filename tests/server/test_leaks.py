"""A client that goes away mid-stream frees the server's file handle at once."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

from tests.kit.files import make_file
from tests.kit.servers import serving
from tests.kit.waiting import wait_until


def open_fds() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def files_open(name: str) -> int:
    count = 0
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            count += str(fd.readlink()).endswith(name)
    return count


def test_no_descriptor_leaks_after_200_aborted_downloads(tmp_path: Path) -> None:
    make_file(tmp_path / "big.bin", 8 << 20)
    with serving(tmp_path, chunk_size=64 * 1024) as server:
        request = b"GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n"
        # One warm-up so lazily opened descriptors (event loop, logging) exist already.
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(request)
            sock.recv(65536)
        time.sleep(0.3)  # on purpose: the warm-up's own socket and file settle (no sign to wait on)
        before = open_fds()
        for _ in range(200):
            with socket.create_connection(("127.0.0.1", server.port)) as sock:
                sock.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                sock.sendall(request)
                assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        wait_until(lambda: files_open("big.bin") == 0, 5, what="every big.bin closed")
        leaked = open_fds() - before
    assert leaked <= 2, f"{leaked} descriptors leaked"
