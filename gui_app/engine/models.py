"""Values the engine hands out: download states, requests, stored records and snapshots.

All are frozen dataclasses or enums, safe to pass between threads. ``DownloadRecord`` is
what the store persists; ``DownloadSnapshot`` is what ``DownloadManager.snapshot()``
returns for the UI and CLI to poll.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from gui_app.byteranges import ByteRange
from gui_app.categories import CategoryFolders
from gui_app.engine.cookies import Cookie
from gui_app.engine.naming import display_name_for_url
from gui_app.pickled import by_fields

__all__ = [
    "DIRECT",
    "Checksum",
    "ConnectionSnapshot",
    "DownloadId",
    "DownloadRecord",
    "DownloadRequest",
    "DownloadSnapshot",
    "DownloadState",
    "Login",
    "PasswordSource",
    "PauseReason",
    "Problem",
    "QueueMove",
    "RequestOptions",
    "Validators",
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
    def is_finished(self) -> bool:
        return self in (DownloadState.COMPLETED, DownloadState.FAILED)


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


@dataclass(frozen=True, slots=True)
class DownloadRequest:
    """What a user asks for. ``filename`` None means: learn it from the server."""

    url: str
    dest_dir: Path
    filename: str | None = None
    connections: int = 8
    checksum: Checksum | None = None
    headers: tuple[tuple[str, str], ...] = ()
    rate_limit: int | None = None  # bytes per second; None = unlimited
    start_paused: bool = False
    login: Login | None = None
    proxy: str | None = None  # None: the app's setting; DIRECT; or a proxy URL
    sort_into: CategoryFolders | None = None  # the folder follows the name, once known
    cookies: tuple[Cookie, ...] = ()  # matched again for every URL asked (each hop too)

    @property
    def options(self) -> RequestOptions:
        return RequestOptions(self.headers, self.login, self.proxy, self.checksum,
                              self.connections, self.cookies)  # fmt: skip


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
        if self.connections < 1:
            raise ValueError("connections must be at least 1")


@by_fields
@dataclass(frozen=True, slots=True)
class DownloadRecord:
    """Everything the store keeps about one download."""

    id: DownloadId
    url: str
    dest_dir: Path
    state: DownloadState
    filename: str | None = None  # final name, chosen once the probe has answered
    final_url: str | None = None
    size: int | None = None  # None until known (or when the server never says)
    validators: Validators = field(default_factory=Validators)
    content_type: str | None = None
    resumable: bool | None = None  # None until the probe has answered
    done: tuple[ByteRange, ...] = ()  # merged, sorted, and durable on disk
    error: str | None = None
    checksum: Checksum | None = None
    connections: int = 8
    rate_limit: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    created_at: float = 0.0
    updated_at: float = 0.0
    completed_at: float | None = None
    part_id: str | None = None  # device:inode of the part file the progress is in
    pause_reason: PauseReason | None = None
    login: Login | None = None
    proxy: str | None = None  # None: the app's setting; DIRECT; or a proxy URL
    problem: Problem | None = None  # what a failed download needs from its user
    queue_order: float = 0.0  # queued downloads start lowest first; the user reorders them
    sort_into: CategoryFolders | None = None  # until named: its category's folder decides
    cookies: tuple[Cookie, ...] = ()  # the request's and those its redirects set

    @property
    def done_bytes(self) -> int:
        return sum(r.length for r in self.done)

    @property
    def options(self) -> RequestOptions:
        return RequestOptions(self.headers, self.login, self.proxy, self.checksum,
                              self.connections, self.cookies)  # fmt: skip

    def with_options(self, options: RequestOptions) -> DownloadRecord:
        return replace(self, headers=options.headers, login=options.login,
                       proxy=options.proxy, checksum=options.checksum,
                       connections=options.connections, cookies=options.cookies)  # fmt: skip

    @property
    def path(self) -> Path | None:
        return None if self.filename is None else self.dest_dir / self.filename

    @property
    def part_path(self) -> Path | None:
        return None if self.filename is None else self.dest_dir / (self.filename + ".part")

    @property
    def display_name(self) -> str:
        """The name a person sees: the file's, else the URL's last segment, else the
        URL without its credentials (the same in the app and the CLI)."""
        return self.filename or display_name_for_url(self.url)


@by_fields
@dataclass(frozen=True, slots=True)
class ConnectionSnapshot:
    """One live connection: it owns ``first..last`` and has written up to ``position - 1``."""

    first: int
    position: int
    last: int
    speed: float  # bytes per second, rolling


@by_fields
@dataclass(frozen=True, slots=True)
class DownloadSnapshot:
    """One download as the UI and CLI see it at one instant."""

    record: DownloadRecord
    done_bytes: int  # includes bytes written but not yet durable
    speed: float  # bytes per second, rolling average
    eta: float | None  # seconds; None when unknown
    connections: tuple[ConnectionSnapshot, ...] = ()
    done_regions: tuple[ByteRange, ...] = ()  # written regions, for a segment map
    retry_at: float | None = None  # monotonic time of the next retry, when waiting

    @property
    def id(self) -> DownloadId:
        return self.record.id

    @property
    def state(self) -> DownloadState:
        return self.record.state

    @property
    def fraction(self) -> float | None:
        size = self.record.size
        if not size:
            return 1.0 if self.record.state is DownloadState.COMPLETED else None
        return min(1.0, self.done_bytes / size)
