"""Run the server: in a background thread (tests, the demo, the app's Tools menu) or in
the foreground (``rangeload serve``). Both bind the socket first, so port 0 picks a free
port and ``url`` is known before the first request.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI

from gui_app.server.app import create_app
from gui_app.server.connection import ConnectionLimits, protocol_for
from gui_app.server.streaming import DroppedConnectionFilter

__all__ = ["ServerThread", "bind", "is_loopback", "make_config", "url_for"]

log = logging.getLogger(__name__)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_for(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_config(
    app: FastAPI, limits: ConnectionLimits | None = None, **extra: Any
) -> uvicorn.Config:
    """uvicorn settings shared by the thread and the foreground server: HTTP/1.1 only, with
    ``limits`` (nginx's defaults unless given) on every connection."""
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, DroppedConnectionFilter) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(DroppedConnectionFilter())
    return uvicorn.Config(
        app,
        lifespan="off",
        access_log=False,
        log_config=None,
        http=protocol_for(limits or ConnectionLimits()),
        ws="none",
        timeout_keep_alive=30,
        **extra,
    )


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # signals belong to the main thread
        pass


class ServerThread:
    """uvicorn on its own thread; use as a context manager, or call ``start``/``stop``."""

    def __init__(
        self,
        app: FastAPI,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: ConnectionLimits | None = None,
    ) -> None:
        self._sock = bind(host, port)
        self.url = url_for(self._sock)
        self.port: int = self._sock.getsockname()[1]
        self._server = _ThreadServer(make_config(app, limits))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            daemon=True,
            name=f"rangeload-server-{self.port}",
        )

    @classmethod
    def serving(
        cls, root: Path, *, host: str = "127.0.0.1", port: int = 0, **kwargs: Any
    ) -> ServerThread:
        """A (not yet started) server for ``create_app(root, **kwargs)``."""
        return cls(create_app(root, **kwargs), host, port)

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        ready = threading.Event()
        while not self._server.started and self._thread.is_alive():
            ready.wait(0.01)
            timeout -= 0.01
            if timeout <= 0:
                raise TimeoutError(f"server on {self.url} did not start")
        if not self._server.started:
            raise RuntimeError(f"server on {self.url} failed to start")
        log.info("serving on %s", self.url)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
