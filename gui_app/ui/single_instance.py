"""One app per data dir: a second ``rangeload URL`` (or the browser's native messaging
host) hands its downloads to the running one.

The running app listens on a QLocalServer at the first of ``handover.socket_paths`` it can
have (a folder only its user can write; the socket itself owner-only). A newcomer sends
one line of JSON (``gui_app.handover``: plain URLs, or offers with a referrer, a
suggested name and cookies) and gets "ok" or "error: why" at once: the offers are taken
up only after the answer is written, so a question they raise (update the existing
download?) never keeps a caller waiting, and nothing is written to a socket after its
answer. A connection from another user's process is closed unread. A socket left by a
crashed app is removed before listening; a folder that is not private is never used."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from gui_app.handover import (
    MAX_LINE,
    Handed,
    HandoverError,
    Offer,
    app_listens,
    decode_offers,
    encode_offers,
    peer_uid,
    private_folder,
)
from gui_app.handover import hand_over_any as send_to_app

__all__ = ["SingleInstance"]

log = logging.getLogger(__name__)


class SingleInstance(QObject):
    offers_received = Signal(list)  # list[Offer]

    def __init__(self, places: Path | Sequence[Path], parent: QObject | None = None) -> None:
        """``places``: where to listen, the first that can be had (``socket_paths``)."""
        super().__init__(parent)
        self.places = [places] if isinstance(places, Path) else list(places)
        self.path = self.places[0]  # where it listens, once listening
        self.problem: str | None = None  # why it does not listen, once listen() said no
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)

    @staticmethod
    def hand_over(places: Path | Sequence[Path], urls: Sequence[str]) -> Handed:
        """Send ``urls`` to a running app; what became of them."""
        message = encode_offers([Offer(u) for u in urls])
        return send_to_app([places] if isinstance(places, Path) else places, message)

    def listen(self) -> bool:
        problems = []
        for path in self.places:
            problem = private_folder(path.parent)
            if problem is None and app_listens(path):
                problem = f"another Rangeload window already answers at {path}"
            if problem is None:
                QLocalServer.removeServer(str(path))  # a crashed app's: nothing answers
                if self._server.listen(str(path)):
                    self.path = path
                    return True
                problem = self._server.errorString()
            problems.append(problem)
        self.problem = "links from other programs cannot reach this window: " + "; ".join(
            problems or ["no place for its socket"]
        )
        log.warning("%s", self.problem)
        return False

    def close(self) -> None:
        """Stop listening (the socket file goes)."""
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            client = self._server.nextPendingConnection()
            client.disconnected.connect(client.deleteLater)
            if not _own_user(client):
                log.warning("a hand-over from another user's process was closed unread")
                client.abort()
                continue
            buffer = bytearray()

            def on_ready_read(client: QLocalSocket = client, buffer: bytearray = buffer) -> None:
                if client.property("answered"):
                    client.readAll()  # one message per connection: the rest is ignored
                    return
                buffer.extend(bytes(client.readAll().data()))
                if len(buffer) > MAX_LINE:
                    self._answer(client, f"error: a message over {MAX_LINE:,} bytes is too large")
                    return
                if not buffer.endswith(b"\n"):
                    return
                try:
                    offers = decode_offers(bytes(buffer))
                except HandoverError as error:
                    log.warning("a hand-over was refused: %s", error)
                    self._answer(client, f"error: {error}")
                    return
                self._answer(client, "ok")
                # Taken up after the answer: what they ask of the user waits for no caller.
                QTimer.singleShot(0, self, lambda: self.offers_received.emit(offers))

            client.readyRead.connect(on_ready_read)

    @staticmethod
    def _answer(client: QLocalSocket, line: str) -> None:
        client.setProperty("answered", True)
        client.write(QByteArray(line.encode() + b"\n"))
        client.flush()
        client.disconnectFromServer()  # after the answer is written; deleted once gone


def _own_user(client: QLocalSocket) -> bool:
    """Is the process at the other end of ``client`` this user's? (SO_PEERCRED.)"""
    descriptor = int(client.socketDescriptor())
    if descriptor < 0:
        return False
    try:
        with socket.socket(fileno=os.dup(descriptor)) as peer:
            return peer_uid(peer) == os.getuid()
    except OSError:
        return False
