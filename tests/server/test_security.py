"""No path outside the folder is ever served, whatever the encoding: raw requests, no client
normalisation in between."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from gui_app.server.runner import ServerThread
from tests.kit.servers import serving


def raw_get(server: ServerThread, target: str) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "target",
    [
        "/files/../outside.txt",
        "/files/%2e%2e/outside.txt",
        "/files/%2E%2E/outside.txt",
        "/files/..%2foutside.txt",
        "/files/..%2Foutside.txt",
        "/files/%2e%2e%2foutside.txt",
        "/files/sub/../../outside.txt",
        "/files/sub/%2e%2e/%2e%2e/outside.txt",
        "/files/..%5coutside.txt",
        "/files/sub%5c..%5c..%5coutside.txt",
        "/files//etc/passwd",
        "/files/%2fetc%2fpasswd",
        "/files/%2Fetc/passwd",
        "/files/odd.bin%00.txt",
        "/files/odd.bin%00",
        "/files/escape.txt",  # a symlink pointing outside the folder
        "/files/.secret",
        "/files/%2esecret",
        "/files/.git/config",
        "/files/sub/./inner.bin",
        "/files/sub",  # a folder is not a file
        "/files/",
        "/files/does-not-exist",
        "/files/%c0%ae%c0%ae/outside.txt",  # overlong UTF-8 dots
        "/files/%252e%252e/outside.txt",  # double encoding
    ],
)
def test_traversal_is_a_plain_404(server: ServerThread, target: str) -> None:
    status, body = raw_get(server, target)
    assert status in (404, 400), target
    assert b"must never be served" not in body
    assert b"root" not in body
    assert b"/tmp" not in body
    if status == 404:
        assert body == b"Not Found"


def test_inner_symlink_is_served(server: ServerThread, root: Path) -> None:
    status, body = raw_get(server, "/files/inner-link.bin")
    assert (status, body) == (200, (root / "one.bin").read_bytes())


def test_show_hidden_serves_and_lists_dotfiles(root: Path) -> None:
    import httpx

    with serving(root, show_hidden=True) as server, httpx.Client(base_url=server.url) as http:
        assert http.get("/files/.secret").text == "hidden"
        paths = [e["path"] for e in http.get("/api/files").json()]
        assert ".secret" in paths
        assert ".git/config" in paths
        # Even then, nothing outside the folder.
        status, _ = raw_get(server, "/files/%2e%2e/outside.txt")
        assert status == 404
