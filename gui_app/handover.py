"""Handing downloads to the running app: the message, and a client with no Qt in it.

The app listens on a local socket named after its data dir (``ui/single_instance.py``,
a QLocalServer: on Unix a socket file in ``$TMPDIR`` or ``/tmp``). A client sends one
line of JSON and waits for "ok". Two forms are read: a plain list of URLs (what
``rangeload URL...`` always sent) and ``{"version": 1, "offers": [...]}``, where an offer
carries what a browser knows about a download: the page it came from, the referrer, the
name it suggested, its cookies for that URL and its user agent. Cookies are secrets: they
travel only to the app, which stores them with that one download, and are never logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

__all__ = [
    "HANDOVER_VERSION",
    "HandoverError",
    "Offer",
    "app_listens",
    "decode_offers",
    "encode_offers",
    "hand_over",
    "offers_from",
    "server_name",
    "socket_path",
]

HANDOVER_VERSION = 1
MAX_LINE = 4 << 20  # bytes of one message; a browser's cookies fit many times over


class HandoverError(ValueError):
    """A hand-over message that cannot be read."""


@dataclass(frozen=True)
class Offer:
    """One download offered to the app."""

    url: str
    referrer: str | None = None
    filename: str | None = None  # the name the browser suggested
    cookies: str | None = None  # a Cookie header's value, for ``url`` only
    user_agent: str | None = None
    page_url: str | None = None

    def headers(self) -> tuple[tuple[str, str], ...]:
        """The request headers that make the server treat Rangeload as the browser."""
        pairs = (("Referer", self.referrer), ("Cookie", self.cookies),
                 ("User-Agent", self.user_agent))  # fmt: skip
        return tuple((name, value) for name, value in pairs if value)

    def __repr__(self) -> str:  # never a cookie in a log line or a traceback
        cookies = "<hidden>" if self.cookies else None
        return f"Offer(url={self.url!r}, filename={self.filename!r}, cookies={cookies})"


_FIELDS = tuple(f.name for f in fields(Offer))


def encode_offers(offers: Sequence[Offer]) -> bytes:
    body = {"version": HANDOVER_VERSION, "offers": [asdict(o) for o in offers]}
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def decode_offers(line: bytes) -> list[Offer]:
    """The offers in one message, in either form; HandoverError says what is wrong."""
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise HandoverError(f"not JSON: {error}") from None
    if isinstance(message, list):  # the plain form: URLs
        if not all(isinstance(u, str) for u in message):
            raise HandoverError("a list of URLs must hold only strings")
        return [Offer(u) for u in message]
    if not isinstance(message, dict):
        raise HandoverError("expected a list of URLs or an object with offers")
    version = message.get("version")
    if version != HANDOVER_VERSION:
        raise HandoverError(
            f"protocol version {version!r} is not this app's ({HANDOVER_VERSION}); "
            "update Rangeload or the extension so that both match"
        )
    return offers_from(message.get("offers"))


def offers_from(raw: object) -> list[Offer]:
    """The offers in a decoded ``offers`` list; HandoverError says what is wrong."""
    if not isinstance(raw, list):
        raise HandoverError("'offers' must be a list")
    return [_offer(item) for item in raw]


def _offer(item: object) -> Offer:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        raise HandoverError("each offer needs a 'url' string")
    values = {k: item.get(k) for k in _FIELDS}
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise HandoverError(f"an offer's {name!r} must be a string")
        if isinstance(value, str) and any(c in value for c in "\r\n\0"):
            raise HandoverError(f"an offer's {name!r} holds a line break")  # header injection
    return Offer(**values)  # type: ignore[arg-type]  # checked above: str or None each


def server_name(data_dir: Path) -> str:
    """The app's local server name for ``data_dir`` (one app per data dir)."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"rangeload-{digest}"


def socket_path(name: str) -> Path:
    """Where QLocalServer puts ``name`` on Unix: Qt's temporary folder."""
    return Path(os.environ.get("TMPDIR") or "/tmp") / name


def hand_over(name: str, message: bytes, timeout: float = 2.0) -> bool:
    """Send one message to the app listening as ``name``; True once it answered "ok"."""
    deadline = time.monotonic() + timeout
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(socket_path(name)))
        sock.sendall(message if message.endswith(b"\n") else message + b"\n")
        answer = b""
        while not answer.endswith(b"\n") and time.monotonic() < deadline:
            chunk = sock.recv(64)
            if not chunk:
                break
            answer += chunk
        return answer.startswith(b"ok")
    return False


def app_listens(name: str) -> bool:
    """Is an app listening as ``name``? (Connects and leaves without a word.)"""
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        sock.connect(str(socket_path(name)))
        return True
    return False
