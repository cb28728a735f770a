"""The engine in a process of its own, for the desktop app (``rangeload engine-host``).

The app starts this process with one end of a socket pair. It runs a DownloadManager on
the shared store, answers the app's calls and forwards every engine event (the messages
of ``engine/process/messages.py``). Downloads then never compete with the window for Python's
GIL, and the process runs at a lower CPU priority than the window. When the app goes
away (quit, crash, ``kill -9``) the channel closes, and the engine saves its progress
and ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import pickle
import select
import signal
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gui_app.engine.api.events import DownloadEvent
from gui_app.engine.api.interface import remote_calls
from gui_app.engine.api.models import PasswordSource
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.engine.process.channel import (
    EXIT_LOCKED,
    Channel,
    ChannelClosedError,
    UnreadableMessageError,
)
from gui_app.engine.process.messages import Call, Event, Hello, Reply, Shutdown
from gui_app.ground import paths

__all__ = ["CALLS", "EXIT_LOCKED", "run_host"]

log = logging.getLogger(__name__)

ENGINE_LOCK = "engine.lock"
LOCK_WAIT = 30.0  # an old engine saves within its 5 s shutdown; allow a slow disk

# What the app may call; anything else is refused.
CALLS = remote_calls()
NOT_ASKED = "the app sends only a Call or a Shutdown after its Hello"


def run_host(
    fd: int, nice: int = 0, passwords: Callable[[Store], PasswordSource] | None = None
) -> int:
    """Serve the app on the socket ``fd`` until it says shutdown or goes away; the saved
    logins' passwords come from ``passwords(store)`` (the app's site book)."""
    # Ctrl+C in a terminal reaches the whole process group; the app decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice > 0:
        with contextlib.suppress(OSError):  # threads started from here on inherit it
            os.nice(nice)
    sock = socket.socket(fileno=fd)
    channel = Channel(sock)
    try:
        hello = channel.receive()
    except ChannelClosedError:
        return 0
    except UnreadableMessageError as error:
        log.error("the app's first message was not its Hello: %s", error)
        return 2
    if not isinstance(hello, Hello):
        log.error("the app sent %r instead of its Hello", type(hello).__name__)
        return 2
    lock = _engine_lock(paths.data_dir())
    if lock is None:
        return EXIT_LOCKED
    store = Store.default()
    source = passwords(store) if passwords is not None else None
    manager = DownloadManager(store, options=hello.options, passwords=source)
    manager.subscribe(lambda event: _forward(channel, event))
    calls = ThreadPoolExecutor(max_workers=4, thread_name_prefix="rangeload-host-call")
    shutdown_id: int | None = None
    # SIGTERM (the session ending, or a kill without -9): save and stop like a shutdown.
    signal.signal(signal.SIGTERM, _raise_terminated)
    wake = _signal_wakeup()
    try:
        while True:
            try:
                _wait_for_message(sock, wake)
                message = channel.receive()
            except ChannelClosedError:
                log.info("the app went away; saving and stopping")
                break
            except _TerminatedError:
                log.info("asked to terminate; saving and stopping")
                break
            except UnreadableMessageError as error:
                log.error("refused a message from the app: %s", error)
                continue
            match message:
                case Shutdown(id=call_id):
                    shutdown_id = call_id
                    break
                case Call():
                    calls.submit(_answer, channel, manager, message)
                case _:  # its type only: a value may hold a URL's secrets
                    kind = type(message).__name__
                    log.error("refused a message from the app (got %s): %s", kind, NOT_ASKED)
    except _TerminatedError:
        log.info("asked to terminate; saving and stopping")
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # nothing may cut the saving short
        calls.shutdown(wait=True)
        manager.shutdown()
        store.close()
        os.close(lock)  # the next engine on this data dir may start now
        if shutdown_id is not None:
            with contextlib.suppress(ChannelClosedError):
                channel.send(Reply(shutdown_id, True, None))
        channel.close()
    return 0


def _signal_wakeup() -> int:
    """A pipe Python's C-level handler writes to on every handled signal, whichever thread
    the kernel delivered it to: the read end, to wait on beside the channel."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end)
    return read_end


def _wait_for_message(sock: socket.socket, wake: int) -> None:
    """Block until the app has written, or a signal came. Blocked in recv, this thread
    would run SIGTERM's handler only when the app next wrote, if the kernel had given the
    signal to another thread (a download's, say): the engine then saved minutes late."""
    fd = sock.fileno()
    while True:
        ready, _, _ = select.select([fd, wake], [], [])
        if fd in ready:
            return
        with contextlib.suppress(BlockingIOError):
            os.read(wake, 64)  # the handler runs as this returns, raising _TerminatedError


class _TerminatedError(Exception):
    """Raised in the main thread by SIGTERM, to leave the loop and save."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _TerminatedError


def _engine_lock(data_dir: Path, timeout: float = LOCK_WAIT) -> int | None:
    """Hold the data dir's engine lock: one engine process per store. An app restarted
    right after a crash waits here while the old engine saves (it holds the .part files'
    locks until it ends); returns None if that takes longer than ``timeout``."""
    fd = os.open(data_dir / ENGINE_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                log.error("another engine still holds %s after %.0f s", data_dir, timeout)
                os.close(fd)
                return None
            time.sleep(0.05)


def _forward(channel: Channel, event: DownloadEvent) -> None:
    with contextlib.suppress(ChannelClosedError):  # the app is gone; the store has it all
        channel.send(Event(event))


def _answer(channel: Channel, manager: DownloadManager, call: Call) -> None:
    try:
        if call.name not in CALLS:
            raise ValueError(f"the engine has no call named {call.name!r}")
        value = getattr(manager, call.name)(*call.args, **call.kwargs)
        reply = Reply(call.id, True, value)
    except Exception as error:  # handed to the caller, which raises it there
        reply = Reply(call.id, False, _portable(error))
    with contextlib.suppress(ChannelClosedError):
        channel.send(reply)


def _portable(error: Exception) -> Exception:
    """``error`` itself if it survives pickling, else a RuntimeError with its words."""
    try:
        copy = pickle.loads(pickle.dumps(error))  # our own value
    except Exception:  # an exception class with a custom __init__, say
        return RuntimeError(f"{type(error).__name__}: {error}")
    return copy if isinstance(copy, Exception) else RuntimeError(str(error))
