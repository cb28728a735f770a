"""Handing downloads to the running app: the message, and a client with no Qt in it.

The app listens on a local socket of its data dir (``ui/single_instance.py``, a
QLocalServer) in a folder only its user can write (``socket_path``); a client sends
nothing unless the folder, the socket and the listening process are its own user's
(``SO_PEERCRED``). A client sends one line of JSON and waits for "ok" or "error: why";
``hand_over`` tells taken, refused, not running, no answer and unsafe apart. Two forms
are read: a plain list of URLs (what ``rangeload URL...`` always sent) and
``{"version": 1, "offers": [...]}``, where an offer carries what a browser knows about a
download: the page it came from, the referrer, the name it suggested, its cookies for
that URL and its user agent. Cookies are secrets: they travel only to the app, which
stores them with that one download, and are never logged.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import os
import socket
import stat
import struct
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from gui_app.ground.headers import browser_headers

__all__ = [
    "HANDOVER_VERSION",
    "MAX_LINE",
    "Delivery",
    "Handed",
    "HandoverError",
    "Offer",
    "app_listens",
    "decode_offers",
    "encode_offers",
    "hand_over",
    "hand_over_any",
    "offers_from",
    "peer_uid",
    "private_folder",
    "socket_path",
    "socket_paths",
    "unsafe_folder",
]

HANDOVER_VERSION = 1
# Bytes of one message, on both sides (the browser's host refuses a larger one before it
# reaches the app); a browser's cookies for one link fit many times over.
MAX_LINE = 4 << 20


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
        return browser_headers(
            referrer=self.referrer, cookies=self.cookies, user_agent=self.user_agent
        )

    def __repr__(self) -> str:  # never a cookie in a log line or a traceback
        cookies = "<hidden>" if self.cookies else None
        return f"Offer(url={self.url!r}, filename={self.filename!r}, cookies={cookies})"


_FIELDS = tuple(f.name for f in fields(Offer))


def encode_offers(offers: Sequence[Offer]) -> bytes:
    body = {"version": HANDOVER_VERSION, "offers": [asdict(o) for o in offers]}
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def decode_offers(line: bytes) -> list[Offer]:
    """The offers in one message, in either form; HandoverError says what is wrong."""
    if len(line) > MAX_LINE:
        raise HandoverError(f"a message of {len(line):,} bytes is over the {MAX_LINE:,} allowed")
    try:
        message = json.loads(line.decode("utf-8"))
    except RecursionError:
        raise HandoverError("not JSON that can be read: nested too deeply") from None
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
            f"protocol version {repr(version)[:40]} is not this app's ({HANDOVER_VERSION}); "
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


class Delivery(enum.Enum):
    """What became of a hand-over."""

    TAKEN = "taken"  # the app answered "ok": it has the offers (and may ask about them)
    REFUSED = "refused"  # the app read the message and said no, and why
    NOT_RUNNING = "not-running"  # nothing listens: start the app
    NO_ANSWER = "no-answer"  # something listens but did not answer: never a second app
    UNSAFE = "unsafe"  # the socket or its folder is another user's: nothing was sent


@dataclass(frozen=True)
class Handed:
    delivery: Delivery
    reason: str = ""  # the app's words (REFUSED), or what is wrong with the socket

    @property
    def taken(self) -> bool:
        return self.delivery is Delivery.TAKEN


MAX_SOCKET_PATH = 107  # bytes of a Unix socket's path (sun_path, less its NUL)


def socket_paths(data_dir: Path, environ: Mapping[str, str] = os.environ) -> list[Path]:
    """Where the app for ``data_dir`` may listen, in the order it tries them: ``run/`` of
    the data dir (made owner-only; the same whatever the environment, so a caller from
    cron, ssh or another session finds it), then for a data dir whose path is too long
    for a socket the private ``$XDG_RUNTIME_DIR`` (or systemd's ``/run/user/UID``), then
    an owner-only ``rangeload-UID`` folder of the temporary folder (never used when
    another user made it). A caller tries them all. Never empty: when no place fits, the
    first is named and cannot be listened at, and the app says so."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    places = [data_dir / "run" / "app.sock"]
    for runtime in (environ.get("XDG_RUNTIME_DIR"), f"/run/user/{os.getuid()}"):
        folder = Path(runtime) if runtime else None
        if folder is not None and folder.is_absolute() and unsafe_folder(folder) is None:
            places.append(folder / f"rangeload-{digest}.sock")
    places.append(Path(tempfile.gettempdir()) / f"rangeload-{os.getuid()}" / f"{digest}.sock")
    fitting = [p for p in dict.fromkeys(places) if len(os.fsencode(p)) <= MAX_SOCKET_PATH]
    return fitting or places[:1]


def socket_path(data_dir: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the app for ``data_dir`` listens first (``socket_paths``)."""
    return socket_paths(data_dir, environ)[0]


def unsafe_folder(folder: Path) -> str | None:
    """Why ``folder`` is no place for this user's socket (None: it is private)."""
    try:
        info = folder.lstat()
    except OSError as error:
        return f"{folder} cannot be read: {error.strerror}"
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder} is not a folder"
    if info.st_uid != os.getuid():
        return f"{folder} belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o077:
        return f"{folder} is open to other users (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def private_folder(folder: Path) -> str | None:
    """Make ``folder`` (owner-only) if it is missing; why it cannot hold the socket."""
    with contextlib.suppress(OSError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700)
    return unsafe_folder(folder)


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket (SO_PEERCRED)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", creds)[1])


def _unsafe_socket(path: Path) -> str | None:
    """Why the socket at ``path`` may be someone else's (None: it is this user's, or
    there is none: then nothing listens)."""
    if not os.path.lexists(path.parent):
        return None
    problem = unsafe_folder(path.parent)
    if problem is not None:
        return problem
    with contextlib.suppress(FileNotFoundError):
        info = path.lstat()
        if info.st_uid != os.getuid():
            return f"{path} belongs to another user (uid {info.st_uid})"
    return None


def hand_over(path: Path, message: bytes, timeout: float = 2.0) -> Handed:
    """Send one message to the app listening at ``path``, and say what became of it.
    Nothing is sent to a socket another user may hold, or whose listener is another
    user's process."""
    problem = _unsafe_socket(path)
    if problem is not None:
        return Handed(Delivery.UNSAFE, problem)
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except OSError:
            return Handed(Delivery.NOT_RUNNING)
        try:
            uid = peer_uid(sock)
            if uid != os.getuid():
                return Handed(Delivery.UNSAFE, f"{path} is held by another user (uid {uid})")
            sock.sendall(message if message.endswith(b"\n") else message + b"\n")
            answer = b""
            while not answer.endswith(b"\n") and len(answer) < 4096:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            return Handed(Delivery.NO_ANSWER, "Rangeload is running but did not answer")
    text = answer.decode("utf-8", "replace").strip()
    if text == "ok":
        return Handed(Delivery.TAKEN)
    if text.startswith("error:"):
        return Handed(Delivery.REFUSED, text.removeprefix("error:").strip())
    return Handed(Delivery.NO_ANSWER, "Rangeload is running but did not answer")


def hand_over_any(places: Sequence[Path], message: bytes, timeout: float = 2.0) -> Handed:
    """``hand_over`` to the first of ``places`` where an app answers (or refuses, or does
    not answer). A place another user holds is passed over, never sent to: UNSAFE only
    when no app answered anywhere and one place was held; else NOT_RUNNING."""
    unsafe: Handed | None = None
    for place in places:
        handed = hand_over(place, message, timeout)
        if handed.delivery is Delivery.UNSAFE:
            unsafe = unsafe or handed
        elif handed.delivery is not Delivery.NOT_RUNNING:
            return handed
    return unsafe or Handed(Delivery.NOT_RUNNING)


def app_listens(path: Path) -> bool:
    """Is an app of this user's listening at ``path``? (Connects and leaves.)"""
    if _unsafe_socket(path) is not None:
        return False
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        sock.connect(str(path))
        return peer_uid(sock) == os.getuid()
    return False
