"""The bundled (honest) server for the tests: ``serving`` runs it on a free loopback port
for a block, and ``CountingApp`` wraps its ASGI app to count the body bytes it sends. The
lying server is ``tests/kit/hostile.py``; the cookie-guarded site is
``tests/kit/guarded_site.py``."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gui_app.server.runner import ServerThread


@contextlib.contextmanager
def serving(root: Path, **create_app_kwargs: Any) -> Iterator[ServerThread]:
    """The bundled server on a free loopback port for the duration of the block."""
    with ServerThread.serving(root, **create_app_kwargs) as server:
        yield server


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
