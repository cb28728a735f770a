"""Messages between the desktop app and its engine process (the classes of
``engine/process/messages.py``): pickled values, each framed by a 4-byte length, over a private
socket pair.

Unpickling trusts the sender, so a channel is only ever the socketpair the app made for
its own child, never a socket anyone else can reach.
"""

from __future__ import annotations

import contextlib
import pickle
import socket
import struct
import threading

__all__ = ["EXIT_LOCKED", "Channel", "ChannelClosedError", "UnreadableMessageError"]

_LENGTH = struct.Struct("!I")
# The engine process's exit code when another engine kept the data dir's lock: part of
# what the two processes agree on, here so the app's side need not import the engine.
EXIT_LOCKED = 3


class ChannelClosedError(EOFError):
    """The other process closed its end (it ended, or was killed)."""


class UnreadableMessageError(ValueError):
    """A frame arrived whole but did not unpickle (a class this side lacks, a value that
    no longer validates): that message is lost, the next one reads as usual."""


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._send_lock = threading.Lock()

    def send(self, message: object) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with self._send_lock:
            try:
                self._sock.sendall(_LENGTH.pack(len(data)) + data)
            except OSError as error:
                raise ChannelClosedError(str(error)) from None

    def receive(self) -> object:
        """The next message; raises ChannelClosedError at the end, UnreadableMessageError
        for one that does not unpickle. One reader only."""
        (length,) = _LENGTH.unpack(self._read(_LENGTH.size))
        data = self._read(length)
        try:
            return pickle.loads(data)  # our own child, see above
        except Exception as error:  # unpickling runs any class's code: anything at all
            raise UnreadableMessageError(
                f"a message that could not be read ({type(error).__name__}: {error})"
            ) from None

    def _read(self, count: int) -> bytes:
        buffer = bytearray(count)
        view = memoryview(buffer)
        got = 0
        while got < count:
            try:
                n = self._sock.recv_into(view[got:])
            except OSError as error:
                raise ChannelClosedError(str(error)) from None
            if n == 0:
                raise ChannelClosedError("the other process closed the channel")
            got += n
        return bytes(buffer)

    def close(self) -> None:
        # shutdown() wakes a reader blocked in recv on another thread; close() alone won't.
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
