"""The desktop app's handle on its engine process: the DownloadManager's calls, made over
a channel to ``rangeload engine-host``, and its events, delivered to local listeners.

Every call blocks its caller until the engine answers, so the app makes them from its
command and poller threads, never from the GUI thread. If the engine process dies, the
calls waiting and every later one raise EngineStoppedError and listeners get EngineLost.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import socket
import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, cast

from gui_app.engine.api.events import EngineLost, Listener, Listeners
from gui_app.engine.api.models import DownloadId, DownloadRequest, QueueMove, RequestOptions
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.api.tls_settings import TlsSettings
from gui_app.engine.process.channel import (
    EXIT_LOCKED,
    Channel,
    ChannelClosedError,
    UnreadableMessageError,
)
from gui_app.engine.process.messages import Call, Event, Hello, Reply, Shutdown
from gui_app.ground.program import rangeload_command

__all__ = ["EngineProcess", "EngineStoppedError", "RemoteEngine", "host_command"]

log = logging.getLogger(__name__)

CALL_TIMEOUT = 60.0
NOT_SENT = "the engine sends only a Reply or an Event"
ENGINE_NICE = 10  # downloads are background work; the window must stay responsive


class EngineStoppedError(RuntimeError):
    """The engine process is gone; nothing more can be asked of it."""


def host_command() -> list[str]:
    """How to start ``rangeload engine-host``: the bundle's own binary, or this Python;
    with as many ``-v`` as the app's own logging level was given."""
    verbose = min(2, max(0, (logging.WARNING - logging.getLogger().getEffectiveLevel()) // 10))
    return rangeload_command(*["-v"] * verbose, "engine-host")


class EngineProcess:
    """A ``rangeload engine-host`` started but not yet told its options: the app starts
    it first thing, so the engine's imports run while the app's own do (two cores, half
    the wait). It waits for the start message; ``close`` makes it end at once."""

    def __init__(self, nice: int = ENGINE_NICE) -> None:
        mine, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [*host_command(), "--fd", str(theirs.fileno()), "--nice", str(nice)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        self.socket = mine

    def close(self) -> None:
        """Not needed after all (another window took the URLs): it sees the channel
        close before its start message and ends."""
        self.socket.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class RemoteEngine:
    """A DownloadManager in a child process (``process``, else one started now), run on
    ``options``. Each call is ``Engine``'s (see its contracts), sent over the channel."""

    def __init__(
        self,
        *,
        options: EngineOptions = EngineOptions(),  # noqa: B008  # a frozen value
        nice: int = ENGINE_NICE,
        process: EngineProcess | None = None,
    ) -> None:
        if not isinstance(options, EngineOptions):  # else the engine process refuses it
            raise TypeError(f"options must be an EngineOptions, not {type(options).__name__}")
        if process is None:
            process = EngineProcess(nice)
        self._process = process.process
        self._channel = Channel(process.socket)
        self._lock = threading.Lock()
        self._pending: dict[int, Future[Any]] = {}
        self._ids = itertools.count(1)
        self._listeners = Listeners()
        self._stopped: str | None = None  # why, once the engine is gone
        self._closing = False
        self._channel.send(Hello(options))
        self._reader = threading.Thread(
            target=self._read, name="rangeload-engine-reader", daemon=True
        )
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    # -- the manager's calls -------------------------------------------------------------

    def start(self, *, resume_running: bool = True, run_queued: bool = True) -> None:
        self._call("start", resume_running=resume_running, run_queued=run_queued)

    def add(self, request: DownloadRequest) -> DownloadId:
        return cast(DownloadId, self._call("add", request))

    def add_many(self, requests: Sequence[DownloadRequest]) -> list[DownloadId]:
        return cast("list[DownloadId]", self._call("add_many", list(requests)))

    def pause(self, download_id: DownloadId) -> None:
        self._call("pause", download_id)

    def resume(self, download_id: DownloadId) -> None:
        self._call("resume", download_id)

    def pause_all(self) -> None:
        self._call("pause_all")

    def resume_all(self) -> None:
        self._call("resume_all")

    def remove(self, download_id: DownloadId, delete_file: bool = False) -> None:
        self._call("remove", download_id, delete_file=delete_file)

    def retry(self, download_id: DownloadId) -> None:
        self._call("retry", download_id)

    def set_max_concurrent(self, count: int) -> None:
        self._call("set_max_concurrent", count)

    def hold_queue(self, held: bool) -> None:
        self._call("hold_queue", held)

    def set_global_rate_limit(self, rate: int | None) -> None:
        self._call("set_global_rate_limit", rate)

    def set_rate_limit(self, download_id: DownloadId, rate: int | None) -> None:
        self._call("set_rate_limit", download_id, rate)

    def set_connections(self, download_id: DownloadId, count: int) -> None:
        self._call("set_connections", download_id, count)

    def set_options(self, download_id: DownloadId, options: RequestOptions) -> None:
        self._call("set_options", download_id, options)

    def set_proxies(self, proxies: ProxySettings) -> None:
        self._call("set_proxies", proxies)

    def set_tls(self, tls: TlsSettings) -> None:
        self._call("set_tls", tls)

    def move(self, download_ids: Iterable[DownloadId], to: QueueMove) -> None:
        self._call("move", list(download_ids), to)

    def place(self, download_ids: Iterable[DownloadId], before: DownloadId | None) -> None:
        self._call("place", list(download_ids), before)

    def move_to(self, download_id: DownloadId, folder: Path) -> None:
        self._call("move_to", download_id, folder)

    def restart(
        self,
        download_id: DownloadId,
        url: str | None = None,
        *,
        headers: tuple[tuple[str, str], ...] | None = None,
        carry_secrets: bool = False,
    ) -> None:
        self._call("restart", download_id, url, headers=headers, carry_secrets=carry_secrets)

    def refresh(
        self,
        download_id: DownloadId,
        url: str,
        headers: tuple[tuple[str, str], ...] | None = None,
        *,
        carry_secrets: bool = False,
    ) -> None:
        self._call("refresh", download_id, url, headers, carry_secrets=carry_secrets)

    def get(self, download_id: DownloadId) -> DownloadSnapshot | None:
        return cast("DownloadSnapshot | None", self._call("get", download_id))

    def snapshot(self) -> tuple[DownloadSnapshot, ...]:
        return cast("tuple[DownloadSnapshot, ...]", self._call("snapshot"))

    def active_snapshot(self) -> tuple[DownloadSnapshot, ...]:
        return cast("tuple[DownloadSnapshot, ...]", self._call("active_snapshot"))

    def total_speed(self) -> float:
        return cast(float, self._call("total_speed"))

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self._listeners.subscribe(listener)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Ask the engine to save and stop; wait for it, then make sure it has ended."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        with contextlib.suppress(EngineStoppedError, TimeoutError):
            self._ask(Shutdown, timeout)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the engine did not stop within %.0f s; killing it", timeout)
            self._process.kill()
            self._process.wait()
        self._channel.close()

    # -- the channel ---------------------------------------------------------------------

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._ask(lambda call_id: Call(call_id, name, args, kwargs), CALL_TIMEOUT)

    def _ask(self, message: Callable[[int], Call | Shutdown], timeout: float) -> Any:
        """Send ``message(id)`` with a new id and wait for the Reply of that id."""
        future: Future[Any] = Future()
        with self._lock:
            if self._stopped is not None:
                raise EngineStoppedError(self._stopped)
            call_id = next(self._ids)
            self._pending[call_id] = future
        try:
            self._channel.send(message(call_id))
        except ChannelClosedError:
            with self._lock:
                self._pending.pop(call_id, None)
            raise EngineStoppedError(self._stopped or "the engine process is gone") from None
        return future.result(timeout)

    def _read(self) -> None:
        try:
            while True:
                try:
                    message = self._channel.receive()
                except UnreadableMessageError as error:
                    log.error("refused a message from the engine: %s", error)
                    continue
                match message:
                    case Event(event=event):
                        self._listeners.emit(event)
                    case Reply(id=call_id, ok=ok, value=value):
                        self._settle(call_id, ok, value)
                    case _:  # its type only: a value may hold a URL's secrets
                        kind = type(message).__name__
                        log.error("refused a message from the engine (got %s): %s", kind, NOT_SENT)
        except ChannelClosedError:
            pass
        finally:
            self._on_channel_closed()

    def _settle(self, call_id: int, ok: bool, value: object) -> None:
        with self._lock:
            future = self._pending.pop(call_id, None)
        if future is None:  # its caller gave up waiting, or no call had that id
            return
        if ok:
            future.set_result(value)
        elif isinstance(value, BaseException):
            future.set_exception(value)
        else:
            future.set_exception(RuntimeError(str(value)))

    def _on_channel_closed(self) -> None:
        try:
            code = self._process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        if code == 0:
            reason = "the download engine stopped"
        elif code == EXIT_LOCKED:
            reason = "another Rangeload engine is still using this data folder"
        else:
            reason = f"the download engine ended unexpectedly (exit status {code})"
        with self._lock:
            self._stopped = reason
            pending, self._pending = self._pending, {}
            asked = self._closing
        for future in pending.values():
            future.set_exception(EngineStoppedError(reason))
        if not asked:
            log.error("%s", reason)
            self._listeners.emit(EngineLost(reason))
