"""One download's record, in four parts, each with one writer.

- ``Request``: what the user asked (address, folder, wanted name, how to ask). Written
  only by the user's edits (``edits``), whatever runs the download.
- ``Remote``: what the server taught (final address, size, validators, type, the name
  chosen for the file and its folder, cookies its redirects set); and ``Progress``: the
  bytes on disk and the part file they are in. Written only by whoever holds the
  download's task lock: its running task, or an edit of a stopped download made under
  that lock (a new address, a restart, a move).
- ``Status``: the manager's (state, why, what it needs from its user, queue order,
  times), written only by the manager of the process that runs or stops it.

The store writes each part with an ``UPDATE`` of that part's columns alone, so no writer
ever writes back its copy of another owner's part. ``DownloadRecord`` joins the four for
readers, with each field reachable by its plain name (``record.size``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gui_app.engine.api.cookies import Cookie, with_cookies
from gui_app.engine.api.models import (
    Checksum,
    DownloadId,
    DownloadState,
    Login,
    PauseReason,
    Problem,
    Request,
    RequestOptions,
    Validators,
)
from gui_app.ground.byteranges import ByteRange
from gui_app.ground.naming import display_name_for_url
from gui_app.ground.pickled import by_fields

__all__ = [
    "ConnectionSnapshot",
    "DownloadRecord",
    "DownloadSnapshot",
    "Progress",
    "Remote",
    "Request",
    "Status",
]

Headers = tuple[tuple[str, str], ...]


@by_fields
@dataclass(frozen=True, slots=True)
class Remote:
    """What the server's answers taught; all None until the first answer."""

    final_url: str | None = None  # where redirects ended, when not the request's URL
    size: int | None = None  # None until known (or when the server never says)
    validators: Validators = field(default_factory=Validators)
    content_type: str | None = None
    resumable: bool | None = None
    filename: str | None = None  # the name chosen for the file (claimed in its folder)
    folder: Path | None = None  # its category's folder, chosen with the name
    cookies: tuple[Cookie, ...] = ()  # what its redirects set, sent again on a resume


@by_fields
@dataclass(frozen=True, slots=True)
class Progress:
    """The bytes on disk: merged, sorted, durable; and the part file they are in."""

    done: tuple[ByteRange, ...] = ()
    part_id: str | None = None  # device:inode of the part file the progress is in

    @property
    def done_bytes(self) -> int:
        return sum(r.length for r in self.done)


@by_fields
@dataclass(frozen=True, slots=True)
class Status:
    """Where the download stands, as its manager decided."""

    state: DownloadState
    error: str | None = None
    pause_reason: PauseReason | None = None
    problem: Problem | None = None  # what a failed download needs from its user
    queue_order: float = 0.0  # queued downloads start lowest first; the user reorders them
    created_at: float = 0.0
    updated_at: float = 0.0
    completed_at: float | None = None


@by_fields
@dataclass(frozen=True, slots=True)
class DownloadRecord:
    """Everything the store keeps about one download: its four parts, and their fields
    by name for whoever only reads."""

    id: DownloadId
    request: Request
    remote: Remote = field(default_factory=Remote)
    progress: Progress = field(default_factory=Progress)
    status: Status = field(default_factory=lambda: Status(DownloadState.QUEUED))

    # -- where the file is -----------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.request.url

    @property
    def dest_dir(self) -> Path:
        return self.remote.folder or self.request.dest_dir

    @property
    def filename(self) -> str | None:
        chosen = self.remote.filename
        return self.request.filename if chosen is None else chosen

    @property
    def path(self) -> Path | None:
        name = self.filename
        return None if name is None else self.dest_dir / name

    @property
    def part_path(self) -> Path | None:
        name = self.filename
        return None if name is None else self.dest_dir / (name + ".part")

    @property
    def display_name(self) -> str:
        """The name a person sees: the file's, else the URL's last segment, else the
        URL without its credentials (the same in the app and the CLI)."""
        return self.filename or display_name_for_url(self.request.url)

    # -- the request ---------------------------------------------------------------------

    @property
    def checksum(self) -> Checksum | None:
        return self.request.checksum

    @property
    def connections(self) -> int:
        return self.request.connections

    @property
    def rate_limit(self) -> int | None:
        return self.request.rate_limit

    @property
    def headers(self) -> Headers:
        return self.request.headers

    @property
    def login(self) -> Login | None:
        return self.request.login

    @property
    def proxy(self) -> str | None:
        return self.request.proxy

    @property
    def sort_into(self) -> int | None:
        """The folder rule still to apply (its number in the store): none once named."""
        return self.request.sort_into if self.remote.filename is None else None

    @property
    def cookies(self) -> tuple[Cookie, ...]:
        """The request's cookies with those its redirects set."""
        learned = self.remote.cookies
        return with_cookies(self.request.cookies, learned) if learned else self.request.cookies

    @property
    def options(self) -> RequestOptions:
        return self.request.options

    # -- what the server taught ----------------------------------------------------------

    @property
    def final_url(self) -> str | None:
        return self.remote.final_url

    @property
    def size(self) -> int | None:
        return self.remote.size

    @property
    def validators(self) -> Validators:
        return self.remote.validators

    @property
    def content_type(self) -> str | None:
        return self.remote.content_type

    @property
    def resumable(self) -> bool | None:
        return self.remote.resumable

    # -- progress ------------------------------------------------------------------------

    @property
    def done(self) -> tuple[ByteRange, ...]:
        return self.progress.done

    @property
    def done_bytes(self) -> int:
        return self.progress.done_bytes

    @property
    def part_id(self) -> str | None:
        return self.progress.part_id

    # -- status --------------------------------------------------------------------------

    @property
    def state(self) -> DownloadState:
        return self.status.state

    @property
    def error(self) -> str | None:
        return self.status.error

    @property
    def pause_reason(self) -> PauseReason | None:
        return self.status.pause_reason

    @property
    def problem(self) -> Problem | None:
        return self.status.problem

    @property
    def queue_order(self) -> float:
        return self.status.queue_order

    @property
    def created_at(self) -> float:
        return self.status.created_at

    @property
    def updated_at(self) -> float:
        return self.status.updated_at

    @property
    def completed_at(self) -> float | None:
        return self.status.completed_at


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

    @classmethod
    def idle(cls, record: DownloadRecord) -> DownloadSnapshot:
        """A download nothing runs: what its record stored, no speed, no connection."""
        return cls(record, record.done_bytes, 0.0, None, (), record.done)

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
