"""Response bodies read from a file in fixed-size chunks, one chunk in memory at a time.

A body is a list of pieces: literal bytes (multipart part headers) or inclusive byte
ranges of the file. Pacing throttles, stalls or cuts the body short for ``--limit-rate``
and fault injection. The file descriptor is closed as soon as the response ends, however
it ends (``ClosingStreamingResponse`` closes it when a client disconnects).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from starlette.responses import StreamingResponse
from starlette.types import Send

from gui_app.ground.byteranges import ByteRange
from gui_app.server.faults import ChangedReader

__all__ = [
    "ClosingStreamingResponse",
    "DroppedConnectionError",
    "DroppedConnectionFilter",
    "FileBody",
    "Pacing",
]

Piece = bytes | ByteRange


class DroppedConnectionError(Exception):
    """Raised on purpose to cut a response short (fault injection); the server closes the
    connection without finishing the body."""


class DroppedConnectionFilter(logging.Filter):
    """Keeps uvicorn from logging a traceback for every deliberately dropped connection."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        while isinstance(error, BaseExceptionGroup) and error.exceptions:
            error = error.exceptions[0]
        return not isinstance(error, DroppedConnectionError)


@dataclass(frozen=True, slots=True)
class Pacing:
    """How to deliver a body: throttled, stalled once, or dropped after some bytes."""

    rate: int | None = None  # bytes per second
    drop_after: int | None = None
    stall: float = 0.0
    stall_after: int | None = None  # default: half the body


class FileBody:
    """An async iterable of chunks for ``pieces`` of the file open on ``fd`` (owned: closed
    by ``close()``, which is idempotent, and at the end of the iteration)."""

    def __init__(
        self,
        fd: int,
        name: str,
        pieces: Sequence[Piece],
        *,
        chunk_size: int,
        pacing: Pacing = Pacing(),
        changed: ChangedReader | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._name = name
        self._pieces = pieces
        self._chunk_size = chunk_size
        self._pacing = pacing
        self._changed = changed
        self._clock = clock
        self._fd: int | None = fd
        self.length = sum(len(p) if isinstance(p, bytes) else p.length for p in pieces)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._generate()

    def _chunk_limit(self) -> int:
        rate = self._pacing.rate
        if rate is None:
            return self._chunk_size
        # About ten chunks a second keeps a throttled stream smooth.
        return max(1024, min(self._chunk_size, rate // 10))

    async def _generate(self) -> AsyncIterator[bytes]:
        pacing = self._pacing
        stall_at = pacing.stall_after if pacing.stall_after is not None else self.length // 2
        stalled = pacing.stall <= 0
        limit = self._chunk_limit()
        sent = 0
        start = self._clock()
        try:
            for piece in self._pieces:
                offset = 0
                while True:
                    if isinstance(piece, bytes):
                        chunk = piece[offset : offset + limit]
                    else:
                        chunk = self._read(piece.first + offset, min(limit, piece.length - offset))
                    if not chunk:
                        break
                    offset += len(chunk)
                    if not stalled and sent + len(chunk) > stall_at:
                        head = max(0, stall_at - sent)
                        if head:
                            yield chunk[:head]
                            sent += head
                            chunk = chunk[head:]
                        stalled = True
                        await asyncio.sleep(pacing.stall)
                    if pacing.drop_after is not None and sent + len(chunk) >= pacing.drop_after:
                        head = pacing.drop_after - sent
                        if head > 0:
                            yield chunk[:head]
                        raise DroppedConnectionError(f"dropped after {pacing.drop_after} bytes")
                    yield chunk
                    sent += len(chunk)
                    if pacing.rate is not None:
                        ahead = sent / pacing.rate - (self._clock() - start)
                        if ahead > 0:
                            await asyncio.sleep(ahead)
                    if isinstance(piece, ByteRange) and offset >= piece.length:
                        break
        finally:
            self.close()

    def _read(self, offset: int, count: int) -> bytes:
        assert self._fd is not None
        data = os.pread(self._fd, count, offset)
        if self._changed is not None:
            data = self._changed.transform(offset, data, count)
        if len(data) < count:
            # The file shrank under us: never pad with bytes we did not read.
            raise DroppedConnectionError(f"{self._name} shrank while being sent")
        return data


class ClosingStreamingResponse(StreamingResponse):
    """A StreamingResponse that closes its FileBody however the response ends, and yields
    to the event loop after every chunk.

    Once a client has gone, uvicorn's ``send`` returns at once and ``pread`` of a cached
    file never waits, so a plain loop would read the whole file without ever suspending:
    Starlette's disconnect listener could not cancel it and every other client waited.
    """

    def __init__(self, body: FileBody, status_code: int, headers: dict[str, str]) -> None:
        super().__init__(body, status_code=status_code, headers=headers)
        self._file_body = body

    async def stream_response(self, send: Send) -> None:
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            async for chunk in self._file_body:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await asyncio.sleep(0)  # the disconnect listener, and others, get their turn
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self._file_body.close()
