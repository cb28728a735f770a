"""One app per data dir: a second ``rangeload URL`` (or the browser's native messaging
host) hands its downloads to the running one.

The running app listens on a QLocalServer named after its data dir; a newcomer sends one
line of JSON (``gui_app.handover``: plain URLs, or offers with a referrer, a suggested name
and cookies), gets "ok" (or "error: why"), and exits 0. A socket left by a crashed app is
removed before listening.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from gui_app.handover import (
    MAX_LINE,
    HandoverError,
    Offer,
    decode_offers,
    encode_offers,
    server_name,
)
from gui_app.handover import hand_over as send_to_app

__all__ = ["SingleInstance", "server_name"]

log = logging.getLogger(__name__)


class SingleInstance(QObject):
    offers_received = Signal(list)  # list[Offer]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_server_new_connection)

    @staticmethod
    def hand_over(name: str, urls: Sequence[str]) -> bool:
        """Send ``urls`` to a running app; True if one took them."""
        return send_to_app(name, encode_offers([Offer(u) for u in urls]))

    def listen(self) -> bool:
        QLocalServer.removeServer(self.name)  # a crashed app's leftover socket
        if not self._server.listen(self.name):
            log.warning("cannot listen as %s: %s", self.name, self._server.errorString())
            return False
        return True

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            buffer = bytearray()

            def on_ready_read(socket: QLocalSocket = socket, buffer: bytearray = buffer) -> None:
                buffer.extend(bytes(socket.readAll().data()))
                if len(buffer) > MAX_LINE:
                    socket.disconnectFromServer()
                    return
                if not buffer.endswith(b"\n"):
                    return
                try:
                    offers = decode_offers(bytes(buffer))
                except HandoverError as error:
                    log.warning("a hand-over was refused: %s", error)
                    socket.write(QByteArray(f"error: {error}\n".encode()))
                else:
                    self.offers_received.emit(offers)
                    socket.write(QByteArray(b"ok\n"))
                socket.flush()

            socket.readyRead.connect(on_ready_read)
            socket.disconnected.connect(socket.deleteLater)
