"""Helpers shared by every room's tests: deterministic files, digests, a live server."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gui_app.server.runner import ServerThread


def make_file(path: Path, size: int, seed: int = 0) -> Path:
    """Write ``size`` deterministic pseudo-random bytes to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with path.open("wb") as out:
        remaining = size
        while remaining:
            n = min(remaining, 1 << 20)
            out.write(rng.randbytes(n))
            remaining -= n
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def serving(root: Path, **create_app_kwargs: Any) -> Iterator[ServerThread]:
    """The bundled server on a free loopback port for the duration of the block."""
    with ServerThread.serving(root, **create_app_kwargs) as server:
        yield server


def process_ended(pid: int) -> bool:
    """True when ``pid`` is gone, or a zombie left for a reaper that is not us (Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


class CountingApp:
    """ASGI wrapper counting the body bytes the server hands to the network."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.sent = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counting_send(message: Any) -> None:
            if message["type"] == "http.response.body":
                with self._lock:
                    self.sent += len(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, counting_send)


def stop_group(
    proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = 10.0
) -> None:
    """End the process group ``proc`` leads (started with ``start_new_session``): SIGTERM,
    then SIGKILL if it is still there after ``timeout``."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
