"""The browser extension's native messaging host: ``rangeload native-host``.

The browser starts it (its manifest names a small launcher written by ``rangeload browser
install``) and talks over stdin and stdout: each message is a 4-byte length in native byte
order, then that many bytes of UTF-8 JSON. The host answers every message with one, and
never dies on a bad one: a wrong frame, bad JSON, a message too large or a protocol
version it does not speak gets ``{"ok": false, "error": ...}``. It imports only what it
needs (no Qt, no HTTP) so that a click is answered quickly.

Messages (``version`` is the extension protocol's, ``PROTOCOL``):
- ``{"type": "hello", "version": 1}``: is Rangeload there? -> ``{"ok": true, "version": 1,
  "rangeload": "<version>", "app_running": bool}``
- ``{"type": "download", "version": 1, "offers": [{"url", "referrer", "filename",
  "cookies", "user_agent", "page_url"}]}``: hand them to the app (started if it is not
  running) -> ``{"ok": true, "taken": N}``; the extension cancels the browser's download
  only then.
"""

from __future__ import annotations

import contextlib
import json
import logging
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gui_app import __version__
from gui_app.ground import paths
from gui_app.ground.program import rangeload_command
from gui_app.handover import (
    MAX_LINE,
    Delivery,
    Handed,
    HandoverError,
    app_listens,
    encode_offers,
    hand_over_any,
    offers_from,
    socket_paths,
)

__all__ = [
    "MAX_MESSAGE",
    "PROTOCOL",
    "NativeHost",
    "last_seen_extension",
    "read_message",
    "record_extension",
    "write_message",
]

log = logging.getLogger(__name__)

PROTOCOL = 1
MAX_MESSAGE = MAX_LINE  # what we read from the browser (it may send up to 64 MiB)
MAX_ANSWER = 1 << 20  # what a browser accepts from a host
_LENGTH = struct.Struct("=I")  # native byte order, as the browsers write it
APP_START_TIMEOUT = 20.0


class FrameError(Exception):
    """The stream is not framed messages any more: the host cannot go on."""


@dataclass(frozen=True)
class Received:
    message: object | None  # the decoded JSON, or None when it could not be read
    error: str | None = None


def read_message(stream: BinaryIO) -> Received | None:
    """The next message, None at the end of the stream. A message too large is read
    through and discarded, so the next one is still found."""
    head = stream.read(_LENGTH.size)
    if not head:
        return None
    if len(head) < _LENGTH.size:
        raise FrameError("the stream ended inside a message's length")
    (length,) = _LENGTH.unpack(head)
    if length > MAX_MESSAGE:
        _skip(stream, length)
        return Received(None, f"a message of {length} bytes is over the {MAX_MESSAGE} allowed")
    body = stream.read(length)
    if len(body) < length:
        raise FrameError("the stream ended inside a message")
    try:
        return Received(json.loads(body.decode("utf-8")))
    except RecursionError:
        return Received(None, "not JSON that can be read: nested too deeply")
    except (UnicodeDecodeError, ValueError) as error:
        return Received(None, f"not JSON: {error}")


def _skip(stream: BinaryIO, length: int) -> None:
    while length:
        chunk = stream.read(min(length, 1 << 20))
        if not chunk:
            raise FrameError("the stream ended inside a message")
        length -= len(chunk)


def write_message(stream: BinaryIO, message: dict[str, object]) -> None:
    body = json.dumps(message, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_ANSWER:
        body = json.dumps({"ok": False, "error": "the answer was too large"}).encode()
    stream.write(_LENGTH.pack(len(body)) + body)
    stream.flush()


def start_app() -> None:
    """Start the desktop app in a session of its own: the browser's process group, which
    it may kill with the host, must not own it."""
    subprocess.Popen(
        rangeload_command(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


class NativeHost:
    """Answers one browser's messages until it closes the stream."""

    def __init__(
        self,
        places: Sequence[Path],
        *,
        seen: Callable[[object], None] = lambda version: None,
        send: Callable[[Sequence[Path], bytes], Handed] = hand_over_any,
        listens: Callable[[Path], bool] = app_listens,
        start: Callable[[], None] = start_app,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._places = places
        self._seen = seen
        self._send = send
        self._listens = listens
        self._start = start
        self._clock = clock
        self._sleep = sleep

    def serve(self, incoming: BinaryIO, outgoing: BinaryIO) -> int:
        while True:
            try:
                received = read_message(incoming)
            except FrameError as error:
                log.warning("native messaging stopped: %s", error)
                return 1
            if received is None:
                return 0
            write_message(outgoing, self.answer(received))

    def answer(self, received: Received) -> dict[str, object]:
        message = received.message
        if received.error is not None:
            return _refusal(received.error)
        if not isinstance(message, dict):
            return _refusal("a message must be a JSON object")
        version = message.get("version")
        self._seen(version)
        if version != PROTOCOL:
            return _refusal(
                f"the extension speaks protocol {repr(version)[:40]}, Rangeload "
                f"{__version__} speaks {PROTOCOL}: update the one that is older",
                mismatch=True,
            )
        kind = message.get("type")
        if kind == "hello":
            return {
                "ok": True,
                "version": PROTOCOL,
                "rangeload": __version__,
                "app_running": any(self._listens(p) for p in self._places),
            }
        if kind == "download":
            return self._download(message)
        return _refusal(f"unknown message type {repr(kind)[:40]}")

    def _download(self, message: dict[str, object]) -> dict[str, object]:
        try:
            offers = offers_from(message.get("offers"))
        except HandoverError as error:
            return _refusal(str(error))
        if not offers:
            return _refusal("no downloads in the message")
        line = encode_offers(offers)
        if len(line) > MAX_LINE:  # the app's own limit: refused here, never "not running"
            return _refusal(
                f"the downloads' details are too large ({len(line):,} bytes; "
                f"at most {MAX_LINE:,}); the browser keeps the download"
            )
        handed = self._send(self._places, line)
        if handed.delivery is Delivery.NOT_RUNNING:
            log.info("Rangeload is not running: starting it")
            self._start()
            deadline = self._clock() + APP_START_TIMEOUT
            while handed.delivery is Delivery.NOT_RUNNING and self._clock() < deadline:
                self._sleep(0.2)
                handed = self._send(self._places, line)
            if handed.taken:
                return {"ok": True, "taken": len(offers), "started": True}
        if handed.taken:
            return {"ok": True, "taken": len(offers)}
        match handed.delivery:
            case Delivery.REFUSED:
                return _refusal(f"Rangeload refused the download: {handed.reason}")
            case Delivery.NO_ANSWER:
                return _refusal(
                    "Rangeload is running but did not answer; the browser keeps the download"
                )
            case Delivery.UNSAFE:
                return _refusal(f"not handed over: {handed.reason}; the browser keeps the download")
        return _refusal("Rangeload did not start; the browser keeps the download")


def _refusal(error: str, *, mismatch: bool = False) -> dict[str, object]:
    answer: dict[str, object] = {"ok": False, "error": error, "version": PROTOCOL}
    if mismatch:
        answer["mismatch"] = True
    return answer


def run(argv: list[str]) -> int:
    """The host's process: stdin and stdout belong to the browser; logs go to stderr,
    which the browser keeps in its own log."""
    origin = argv[-1] if argv else "?"  # Chromium: the extension's origin; Firefox: its ID
    data = paths.data_dir()

    def seen(version: object) -> None:
        record_extension(data, version, origin)

    host = NativeHost(socket_paths(data), seen=seen)
    return host.serve(sys.stdin.buffer, sys.stdout.buffer)


SEEN_FILE = "browser-extension.json"


def record_extension(data_dir: Path, version: object, origin: str) -> None:
    """Note which protocol the extension spoke, for ``rangeload browser status``."""
    with contextlib.suppress(OSError):
        (data_dir / SEEN_FILE).write_text(
            json.dumps({"protocol": version, "origin": origin, "seen": time.time()})
        )


def last_seen_extension(data_dir: Path) -> dict[str, object] | None:
    try:
        seen = json.loads((data_dir / SEEN_FILE).read_text())
    except (OSError, ValueError):
        return None
    return seen if isinstance(seen, dict) else None
