"""What a front end calls on an engine: the DownloadManager in the same process (the CLI,
the tests) or the RemoteEngine in its own process (the desktop app) both fit it. The
engine process answers exactly the calls named here (``remote_calls``), and
tests/engine/test_interface.py fails when either side lacks one or differs from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from gui_app.engine.api.events import Listener
from gui_app.engine.api.models import DownloadId, DownloadRequest, QueueMove, RequestOptions
from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.api.tls_settings import TlsSettings

__all__ = ["Engine", "remote_calls"]

LOCAL_ONLY = frozenset({"subscribe", "shutdown"})  # the remote side does these itself


class Engine(Protocol):
    def start(self, *, resume_running: bool = True, run_queued: bool = True) -> None:
        """Load the stored downloads; queue the unfinished ones (or hold them paused when
        not ``resume_running``); with ``run_queued`` False run only what ``resume`` names."""

    def shutdown(self, timeout: float = ...) -> None:
        """Stop running downloads (saved, queued for the next start) and release all."""

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event, from engine threads; returns an unsubscribe."""

    def add(self, request: DownloadRequest) -> DownloadId:
        """Validate, store and queue (or hold paused); raises InvalidURLError, or
        FolderMissingError when ``dest_dir`` is not there."""

    def add_many(self, requests: Sequence[DownloadRequest]) -> list[DownloadId]:
        """``add`` for many in one store transaction; if one is invalid, none is added."""

    def pause(self, download_id: DownloadId) -> None:
        """Pause a queued or running download; a running one saves, then reports PAUSED."""

    def resume(self, download_id: DownloadId) -> None:
        """Queue a paused or failed download (one another process runs fails as busy)."""

    def pause_all(self) -> None:
        """``pause`` every download."""

    def resume_all(self) -> None:
        """``resume`` every download."""

    def remove(self, download_id: DownloadId, delete_file: bool = False) -> None:
        """Forget a download and its part file (and its finished file if asked), once it
        has stopped; DownloadRemoved follows."""

    def retry(self, download_id: DownloadId) -> None:
        """The same as ``resume``."""

    def set_max_concurrent(self, count: int) -> None:
        """How many downloads run at once (at least one)."""

    def hold_queue(self, held: bool) -> None:
        """Hold the queue (running ones stop, saved, as queued) or release it."""

    def set_global_rate_limit(self, rate: int | None) -> None:
        """Bytes per second for all downloads together; None: unlimited."""

    def set_rate_limit(self, download_id: DownloadId, rate: int | None) -> None:
        """Bytes per second for one download, at once, also while it runs."""

    def set_connections(self, download_id: DownloadId, count: int) -> None:
        """Connections for one download, at once, also while it runs."""

    def set_options(self, download_id: DownloadId, options: RequestOptions) -> None:
        """Replace a stopped download's request options; they apply from its next run."""

    def set_proxies(self, proxies: ProxySettings) -> None:
        """The proxies of downloads that follow the app's setting."""

    def set_tls(self, tls: TlsSettings) -> None:
        """The certificates later requests trust: the system's store or a CA file."""

    def move(self, download_ids: Iterable[DownloadId], to: QueueMove) -> None:
        """Move downloads in the queue's order; queued ones start in that order."""

    def place(self, download_ids: Iterable[DownloadId], before: DownloadId | None) -> None:
        """Put downloads just before ``before`` in the queue's order (None: at the end)."""

    def move_to(self, download_id: DownloadId, folder: Path) -> None:
        """A queued, paused or failed download, and its part file, to another folder."""

    def restart(
        self,
        download_id: DownloadId,
        url: str | None = None,
        *,
        headers: tuple[tuple[str, str], ...] | None = None,
        carry_secrets: bool = False,
    ) -> None:
        """Throw away a paused or failed download's bytes and queue it from byte 0 (at
        ``url`` when given, with ``headers`` when given; at another origin without the old
        one's secrets unless ``carry_secrets``)."""

    def refresh(
        self,
        download_id: DownloadId,
        url: str,
        headers: tuple[tuple[str, str], ...] | None = None,
        *,
        carry_secrets: bool = False,
    ) -> None:
        """A paused or failed download's new address (and headers), keeping its bytes only
        if the file there is the same; else RefreshRefusedError saying what differs, and
        nothing changes. One request to the new address: never from the GUI thread."""

    def get(self, download_id: DownloadId) -> DownloadSnapshot | None:
        """One download as it is now, or None."""

    def snapshot(self) -> tuple[DownloadSnapshot, ...]:
        """Every download as it is now, by id."""

    def active_snapshot(self) -> tuple[DownloadSnapshot, ...]:
        """The running downloads only: what changes without an event."""

    def total_speed(self) -> float:
        """Bytes per second over all downloads, rolling."""


def remote_calls() -> frozenset[str]:
    """The calls the engine process answers: every member of ``Engine`` but the local ones."""
    members = {name for name in vars(Engine) if not name.startswith("_")}
    return frozenset(members - LOCAL_ONLY)
