"""The network under httpx: streams that obey a per-thread ``Guard``.

httpx times out each read, never a whole response head, so a server that sends one
header byte every few seconds holds a request forever; and a request being sent cannot
be stopped from another thread. ``GuardedBackend`` is httpcore's own sync backend with
every stream's reads and writes bounded by the calling thread's guard: a deadline for the
response head (each read waits at most the time left) and an ``interrupt`` that shuts the
sockets the guarded thread is using, so a stop takes effect at once.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
import typing
from collections.abc import Callable, Iterator

import httpcore
from httpcore._backends.base import SOCKET_OPTION  # the type of the base class's own signature

__all__ = ["READ_SIZE", "Guard", "GuardedBackend"]

READ_SIZE = 256 * 1024  # the most one read of a body takes from its socket


class Guard:
    """One worker's requests: a deadline while a head is awaited, and a way to stop them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self.deadline: float | None = None
        self.interrupted = False

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)
            interrupted = self.interrupted
        if interrupted:
            raise httpcore.ReadError("stopped")

    def remaining(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - self._clock()
        if left <= 0:
            raise httpcore.ReadTimeout("no complete response head in time")
        return left

    def interrupt(self) -> None:
        """Stop every request of this guard now; its reader gets an error."""
        with self._lock:
            self.interrupted = True
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def forget(self) -> None:
        with self._lock:
            self._sockets.clear()


class GuardedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self._local = threading.local()

    @contextlib.contextmanager
    def guarding(self, guard: Guard) -> Iterator[Guard]:
        """Bind ``guard`` to this thread's network calls for the block."""
        previous = getattr(self._local, "guard", None)
        self._local.guard = guard
        try:
            yield guard
        finally:
            self._local.guard = previous

    def current(self) -> Guard | None:
        guard: Guard | None = getattr(self._local, "guard", None)
        return guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        guard = self.current()
        if guard is not None and guard.interrupted:
            raise httpcore.ConnectError("stopped")
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _GuardedStream(stream, self)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - downloads are TCP
        return _GuardedStream(self._inner.connect_unix_socket(path, timeout, socket_options), self)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, backend: GuardedBackend) -> None:
        self._inner = inner
        self._backend = backend

    def _bound(self, timeout: float | None) -> float | None:
        guard = self._backend.current()
        if guard is None:
            return timeout
        sock = self._inner.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            guard.attach(sock)
        left = guard.remaining()
        if left is None:
            return timeout
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        # httpcore asks 64 KiB at a time; a fast body then costs a Python round (h11, the
        # transfer, a pwrite) per 64 KiB. Whatever the socket holds, up to READ_SIZE, is
        # taken at once: recv returns what is there, so a slow body is not delayed.
        return self._inner.read(max(max_bytes, READ_SIZE), self._bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._bound(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._bound(timeout))
        return _GuardedStream(inner, self._backend)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)
