"""Values the engine is given and hands out: download states, requests and their
options, logins, checksums, validators.

All are frozen dataclasses or enums, safe to pass between threads. The stored record and
the snapshots the UI and CLI poll are in ``record``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from gui_app.engine.api.cookies import Cookie
from gui_app.engine.api.folder_rule import CategoryFolders
from gui_app.ground.pickled import by_fields

__all__ = [
    "DIRECT",
    "MAX_CONNECTIONS",
    "Checksum",
    "DownloadId",
    "DownloadRequest",
    "DownloadState",
    "Login",
    "PasswordSource",
    "PauseReason",
    "Problem",
    "QueueMove",
    "Request",
    "RequestOptions",
    "Validators",
    "check_connections",
    "proxy_choice_label",
]

DownloadId = int

CHECKSUM_ALGORITHMS = ("sha256", "sha512", "sha1", "md5")


class DownloadState(enum.Enum):
    QUEUED = "queued"  # waiting for a free slot
    RUNNING = "running"  # probing or transferring
    PAUSED = "paused"  # by the user, by Ctrl-C, or by a full disk (see error)
    VERIFYING = "verifying"  # all bytes on disk; checksum and final rename under way
    COMPLETED = "completed"  # verified and renamed to its final name
    FAILED = "failed"  # stopped with an error; partial data kept where it is still valid

    @property
    def is_active(self) -> bool:
        return self in (DownloadState.RUNNING, DownloadState.VERIFYING)

    @property
    def is_stopped(self) -> bool:
        """Paused or failed: to resume, edit, move or give a new address."""
        return self in (DownloadState.PAUSED, DownloadState.FAILED)


MAX_CONNECTIONS = 32  # a download's connections at most, whoever asks and however


def check_connections(count: int) -> int:
    """``count``, or ValueError saying the range: the one rule for a download's
    connections (a request, a live change, the app's settings and sites, the CLI)."""
    if isinstance(count, bool) or not isinstance(count, int):
        raise ValueError(f"connections are a whole number, not {count!r}")
    if not 1 <= count <= MAX_CONNECTIONS:
        raise ValueError(f"connections must be 1 to {MAX_CONNECTIONS}, not {count}")
    return count


class QueueMove(enum.Enum):
    """Where selected downloads go in the queue's order."""

    TOP = "top"
    UP = "up"
    DOWN = "down"
    BOTTOM = "bottom"


class PauseReason(enum.Enum):
    """Why a download is paused; the engine resumes DISK_FULL ones by itself."""

    USER = "user"  # the user, Ctrl-C, or "resume on start" off
    DISK_FULL = "disk-full"  # no room: resumed once there is
    STORE = "store"  # its progress could not be saved


class Problem(enum.Enum):
    """What a stopped download needs from its user before it can go on."""

    LOGIN = "login"  # the server asked for a login (401), or refused the one given
    CHANGED = "changed"  # the file on the server changed: restart, or give the old file's link


# A download's proxy choice: None follows the app's setting, DIRECT goes without any
# proxy, anything else is a proxy URL (http://, https://, socks5:// or socks5h://).
DIRECT = "direct"


def proxy_choice_label(proxy: str | None) -> str:
    """The choice in words, never with the proxy's credentials."""
    if proxy is None:
        return "as in Settings"
    if proxy == DIRECT:
        return "no proxy"
    parts = urlsplit(proxy)
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


@dataclass(frozen=True, slots=True)
class Login:
    """HTTP authentication for one site: Basic or Digest, as the server's challenge asks.
    The password never appears in a repr, a log line or a message. With ``site`` (an
    origin) and no password, a reference to a saved login: the engine asks its
    ``PasswordSource`` for the password when that origin's 401 asks, and it is kept
    nowhere else."""

    user: str
    password: str = field(default="", repr=False)
    site: str | None = None

    def __post_init__(self) -> None:
        if not self.user:
            raise ValueError("a login needs a user name")
        if ":" in self.user:
            raise ValueError("a user name for HTTP authentication cannot contain ':'")


PasswordSource = Callable[[Login, str], "str | None"]
"""The saved password a ``Login`` reference names, for the URL whose 401 asks; None if
there is none (or it is not that URL's origin's)."""


@dataclass(frozen=True, slots=True)
class Checksum:
    """An expected digest, e.g. ``Checksum("sha256", "9f86d0...")``."""

    algorithm: str
    hexdigest: str

    def __post_init__(self) -> None:
        if self.algorithm not in CHECKSUM_ALGORITHMS:
            raise ValueError(
                f"unsupported checksum algorithm {self.algorithm!r}; "
                f"use one of {', '.join(CHECKSUM_ALGORITHMS)}"
            )
        try:
            bytes.fromhex(self.hexdigest)
        except ValueError:
            raise ValueError(f"checksum is not hexadecimal: {self.hexdigest!r}") from None
        object.__setattr__(self, "hexdigest", self.hexdigest.lower())

    @classmethod
    def parse(cls, text: str) -> Checksum:
        """Parse ``ALGO:HEX`` (as given to ``--checksum``)."""
        algorithm, sep, hexdigest = text.partition(":")
        if not sep:
            raise ValueError(f"checksum must look like sha256:HEX, got {text!r}")
        return cls(algorithm.strip().lower(), hexdigest.strip())

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hexdigest}"


@by_fields
@dataclass(frozen=True, slots=True)
class Validators:
    """What identifies one version of the remote file (RFC 9110 8.8)."""

    etag: str | None = None  # the ETag exactly as sent, quotes included
    last_modified: str | None = None  # the Last-Modified header exactly as sent

    @property
    def strong_etag(self) -> str | None:
        if self.etag is None or self.etag.startswith("W/"):
            return None
        return self.etag

    def if_range(self) -> str | None:
        """The If-Range value for a resumed range request: strong ETag, else the date."""
        return self.strong_etag or self.last_modified


@by_fields
@dataclass(frozen=True, slots=True)
class Request:
    """What the user asked for, as the record keeps it (its first part: only the user's
    edits write it). ``filename`` None: the server's answer names the file."""

    url: str
    dest_dir: Path
    filename: str | None = None
    connections: int = 8
    checksum: Checksum | None = None
    headers: tuple[tuple[str, str], ...] = ()
    rate_limit: int | None = None  # bytes per second; None = unlimited
    login: Login | None = None
    proxy: str | None = None  # None: the app's setting; DIRECT; or a proxy URL
    # The folder follows the name, once known, by the folder rule the store keeps under
    # this number (``Store.folder_rule``): a reference, not the rule in every row.
    sort_into: int | None = None
    cookies: tuple[Cookie, ...] = ()  # the user's (a cookies.txt, the browser's)

    def __post_init__(self) -> None:
        check_connections(self.connections)

    @property
    def options(self) -> RequestOptions:
        return RequestOptions(
            self.headers, self.login, self.proxy, self.checksum, self.connections, self.cookies
        )

    def with_options(self, options: RequestOptions) -> Request:
        return Request(
            self.url,
            self.dest_dir,
            self.filename,
            options.connections,
            options.checksum,
            options.headers,
            self.rate_limit,
            options.login,
            options.proxy,
            self.sort_into,
            options.cookies,
        )


@by_fields
@dataclass(frozen=True, slots=True)
class DownloadRequest(Request):
    """A ``Request`` as a front end adds it: ``start_paused`` holds it paused;
    ``folder_rule`` sorts it into its category's folder once named (the store keeps the
    rule once and the record a reference to it)."""

    start_paused: bool = False
    folder_rule: CategoryFolders | None = None

    @property
    def request(self) -> Request:
        """What the record keeps: all but how it starts."""
        return Request(
            self.url,
            self.dest_dir,
            self.filename,
            self.connections,
            self.checksum,
            self.headers,
            self.rate_limit,
            self.login,
            self.proxy,
            self.sort_into,
            self.cookies,
        )


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """How a download asks for its file; a stopped download's may be replaced (the
    Properties dialog, a login given after a 401, a rerun of ``rangeload get``)."""

    headers: tuple[tuple[str, str], ...] = ()
    login: Login | None = None
    proxy: str | None = None  # None: the app's setting; DIRECT; or a proxy URL
    checksum: Checksum | None = None
    connections: int = 8
    # Cookies as cookies (a cookies.txt's, those redirects set): each goes only to the
    # URLs it matches (domain, path, Secure, expiry), so no origin holds them.
    cookies: tuple[Cookie, ...] = ()

    def __post_init__(self) -> None:
        check_connections(self.connections)
