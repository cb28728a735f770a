"""One HTTP/1.1 connection as the bundled server keeps it: uvicorn's httptools protocol with
the bounds nginx keeps by default, so that no single client can take the server's memory,
its descriptors or its time from the others.

- a request head (request line and headers) is at most ``max_head`` bytes (431; a request
  line alone over ``max_url`` answers 414), checked as bytes arrive, before they pile up;
- a head must arrive whole within ``head_timeout`` seconds of the server waiting for it
  (nginx's ``client_header_timeout``): a half-sent head is answered 408 and closed;
- at most ``max_pipelined`` requests wait behind the one being answered; past that the
  connection is not read until they are answered, so a flood stays in the client's socket;
- a connection is closed after ``max_requests`` answers (nginx's ``keepalive_requests``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["ConnectionLimits", "protocol_for"]


@dataclass(frozen=True)
class ConnectionLimits:
    max_head: int = 16 * 1024
    max_url: int = 8 * 1024
    head_timeout: float = 60.0
    max_pipelined: int = 16
    max_requests: int = 1000
    # Bytes handed to the parser at once: a bound on what one slice can add (bytes of a head
    # past max_head, requests past max_pipelined) before the limits are checked again.
    feed_slice: int = 4096


def protocol_for(limits: ConnectionLimits) -> type[asyncio.Protocol]:
    """The protocol class uvicorn's ``http=`` setting takes, with ``limits`` in force."""
    return type("BoundedHttpProtocol", (BoundedHttpProtocol,), {"limits": limits})


_REASONS = {
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
}


class _HeadRefusedError(Exception):
    """Raised in a parser callback to stop parsing a head that is refused."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class BoundedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, fed in slices and with a deadline on every head."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unfed = bytearray()
        self._in_head = True  # the next bytes read belong to a request head
        self._head_bytes = 0
        self._requests_parsed = 0
        self._head_timer: asyncio.TimerHandle | None = None

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn narrows BaseTransport to Transport
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        self._unfed.clear()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._unfed and len(data) <= self.limits.feed_slice and not self._held():
            self._feed_one(data)  # the usual case: one small request in one read
        else:
            self._unfed += data
        self._feed()

    # httptools parser callbacks

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_url:
            raise _HeadRefusedError(414)

    def on_headers_complete(self) -> None:
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_head:  # whole, but it came in one slice with its end
            raise _HeadRefusedError(431)
        self._in_head = False
        self._head_bytes = 0
        self._stop_head_timer()
        super().on_headers_complete()
        self._requests_parsed += 1
        if self.cycle is not None and self._requests_parsed >= self.limits.max_requests:
            self.cycle.keep_alive = False

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing():
            return
        self._feed()
        if self.cycle.response_complete:  # nothing parsed is waiting for its answer
            self._await_head()

    # feeding the parser

    def _held(self) -> bool:
        return len(self.pipeline) >= self.limits.max_pipelined

    def _feed(self) -> None:
        slice_size = self.limits.feed_slice
        while self._unfed and not self._held():
            piece = bytes(self._unfed[:slice_size])
            del self._unfed[:slice_size]
            if not self._feed_one(piece):
                return
        if self._unfed:
            self.flow.pause_reading()  # resumed when an answer completes (uvicorn's own call)

    def _feed_one(self, piece: bytes) -> bool:
        """Parse ``piece``; False once the connection is closing."""
        if self._in_head:
            self._head_bytes += len(piece)
        refusal = self._parse(piece)
        if refusal is None and self._in_head and self._head_bytes > self.limits.max_head:
            refusal = 431
        if refusal is not None:
            self._refuse(refusal)
        if self.parser is None or self.transport.is_closing():
            self._unfed.clear()
            return False
        return True

    def _parse(self, piece: bytes) -> int | None:
        """What uvicorn's ``data_received`` does, except that a head refused in a callback
        stops the parser and gives its status rather than a 400."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(piece)
        except httptools.HttpParserCallbackError as error:
            if isinstance(error.__context__, _HeadRefusedError):
                return error.__context__.status
            self._invalid()
        except httptools.HttpParserError:
            self._invalid()
        except httptools.HttpParserUpgrade:
            pass  # no upgrades here (ws="none"): the request was answered as a plain one
        return None

    def _invalid(self) -> None:
        message = "Invalid HTTP request received."
        self.logger.warning(message)
        self.send_400_response(message)

    # the head's deadline

    def _await_head(self) -> None:
        self._stop_head_timer()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.limits.head_timeout, self._on_head_timeout)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _on_head_timeout(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._in_head:
            return
        if self._head_bytes or self._unfed:
            self._refuse(408)
        else:  # an idle connection: nothing to answer, as nginx
            self.transport.close()

    def _refuse(self, status: int) -> None:
        """Answer ``status`` and close; only closes when an answer is already under way."""
        self._unfed.clear()
        answering = self.cycle is not None and not self.cycle.response_complete
        if not answering:
            reason = _REASONS[status]
            body = f"{status} {reason}\n".encode("ascii")
            self.transport.write(
                f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
                f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode("ascii")
                + body
            )
        self.logger.info("closed a connection: %s %s", status, _REASONS[status])
        self.transport.close()
