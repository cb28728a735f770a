"""An in-memory stand-in for the engine, for UI logic that needs no bytes to move (the
sidebar's counts, the search box, sorting): it satisfies ``gui_app.engine.api.interface.Engine``
(tests/engine/test_interface.py holds it to every member and signature), keeps the
downloads it is given or asked to add, tells its subscribers as a real engine does, and
records every call. Nothing runs on its own: a test moves a download with ``put``.

Tests that check real downloading stay on the real engine (tests/engine/conftest.py)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from gui_app.engine.api.events import (
    DownloadAdded,
    DownloadChanged,
    DownloadEvent,
    DownloadRemoved,
    Listener,
)
from gui_app.engine.api.models import (
    DownloadId,
    DownloadRequest,
    DownloadState,
    QueueMove,
    RequestOptions,
)
from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.record import DownloadRecord, DownloadSnapshot, Status
from gui_app.engine.api.tls_settings import TlsSettings
from tests.kit.records import moved_on

__all__ = ["FakeEngine"]


class FakeEngine:
    """``Engine`` in memory. ``added`` holds the requests ``add`` and ``add_many`` were
    given, ``calls`` every call as ``(name, args)``; ``put`` sets a download as the engine
    would have it and sends the event its state calls for."""

    def __init__(self, records: Iterable[DownloadRecord] = ()) -> None:
        self._lock = threading.Lock()
        self._snapshots: dict[DownloadId, DownloadSnapshot] = {}
        self._listeners: list[Listener] = []
        self.added: list[DownloadRequest] = []
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        for each in records:
            self._snapshots[each.id] = _snapshot(each)
        self._ids = itertools.count(max(self._snapshots, default=0) + 1)

    # -- what a test does -------------------------------------------------------------

    def put(self, updated: DownloadRecord) -> None:
        """Keep ``updated`` as the download's record, and tell the subscribers: Added for a
        new one, else Changed."""
        with self._lock:
            new = updated.id not in self._snapshots
            self._snapshots[updated.id] = _snapshot(updated)
        if new:
            self._emit(DownloadAdded(updated))
        else:
            self._emit(DownloadChanged(updated))

    def called(self, name: str) -> list[tuple[object, ...]]:
        """The arguments of every call of ``name``, in order."""
        with self._lock:
            return [args for called, args in self.calls if called == name]

    # -- Engine -----------------------------------------------------------------------

    def start(self, *, resume_running: bool = True, run_queued: bool = True) -> None:
        self._note("start", resume_running, run_queued)

    def shutdown(self, timeout: float = 10.0) -> None:
        self._note("shutdown", timeout)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def add(self, request: DownloadRequest) -> DownloadId:
        self._note("add", request)
        with self._lock:
            self.added.append(request)
            download_id = DownloadId(next(self._ids))
        state = DownloadState.PAUSED if request.start_paused else DownloadState.QUEUED
        self.put(DownloadRecord(download_id, request.request, status=Status(state)))
        return download_id

    def add_many(self, requests: Sequence[DownloadRequest]) -> list[DownloadId]:
        return [self.add(request) for request in requests]

    def pause(self, download_id: DownloadId) -> None:
        self._note("pause", download_id)
        self._move(download_id, DownloadState.PAUSED)

    def resume(self, download_id: DownloadId) -> None:
        self._note("resume", download_id)
        self._move(download_id, DownloadState.QUEUED)

    def pause_all(self) -> None:
        self._note("pause_all")

    def resume_all(self) -> None:
        self._note("resume_all")

    def remove(self, download_id: DownloadId, delete_file: bool = False) -> None:
        self._note("remove", download_id, delete_file)
        with self._lock:
            removed = self._snapshots.pop(download_id, None)
        if removed is None:
            raise KeyError(download_id)
        self._emit(DownloadRemoved(download_id))

    def retry(self, download_id: DownloadId) -> None:
        self._note("retry", download_id)
        self._move(download_id, DownloadState.QUEUED)

    def set_max_concurrent(self, count: int) -> None:
        self._note("set_max_concurrent", count)

    def hold_queue(self, held: bool) -> None:
        self._note("hold_queue", held)

    def set_global_rate_limit(self, rate: int | None) -> None:
        self._note("set_global_rate_limit", rate)

    def set_rate_limit(self, download_id: DownloadId, rate: int | None) -> None:
        self._note("set_rate_limit", download_id, rate)

    def set_connections(self, download_id: DownloadId, count: int) -> None:
        self._note("set_connections", download_id, count)

    def set_options(self, download_id: DownloadId, options: RequestOptions) -> None:
        self._note("set_options", download_id, options)

    def set_proxies(self, proxies: ProxySettings) -> None:
        self._note("set_proxies", proxies)

    def set_tls(self, tls: TlsSettings) -> None:
        self._note("set_tls", tls)

    def move(self, download_ids: Iterable[DownloadId], to: QueueMove) -> None:
        self._note("move", tuple(download_ids), to)

    def place(self, download_ids: Iterable[DownloadId], before: DownloadId | None) -> None:
        self._note("place", tuple(download_ids), before)

    def move_to(self, download_id: DownloadId, folder: Path) -> None:
        self._note("move_to", download_id, folder)

    def restart(
        self,
        download_id: DownloadId,
        url: str | None = None,
        *,
        headers: tuple[tuple[str, str], ...] | None = None,
        carry_secrets: bool = False,
    ) -> None:
        self._note("restart", download_id, url, headers, carry_secrets)

    def refresh(
        self,
        download_id: DownloadId,
        url: str,
        headers: tuple[tuple[str, str], ...] | None = None,
        *,
        carry_secrets: bool = False,
    ) -> None:
        self._note("refresh", download_id, url, headers, carry_secrets)

    def get(self, download_id: DownloadId) -> DownloadSnapshot | None:
        with self._lock:
            return self._snapshots.get(download_id)

    def snapshot(self) -> tuple[DownloadSnapshot, ...]:
        with self._lock:
            return tuple(self._snapshots[i] for i in sorted(self._snapshots))

    def active_snapshot(self) -> tuple[DownloadSnapshot, ...]:
        return tuple(s for s in self.snapshot() if s.state is DownloadState.RUNNING)

    def total_speed(self) -> float:
        return sum(s.speed for s in self.active_snapshot())

    # -- inside -----------------------------------------------------------------------

    def _note(self, name: str, *args: object) -> None:
        with self._lock:
            self.calls.append((name, args))

    def _move(self, download_id: DownloadId, state: DownloadState) -> None:
        current = self.get(download_id)
        if current is None:
            raise KeyError(download_id)
        self.put(moved_on(current.record, state))

    def _emit(self, event: DownloadEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:  # as the engine does, on the caller's thread
            listener(event)


def _snapshot(of: DownloadRecord) -> DownloadSnapshot:
    return DownloadSnapshot(of, done_bytes=of.done_bytes, speed=0.0, eta=None)
