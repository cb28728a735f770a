"""One app per data dir: a second ``rangeload URL`` hands its URLs to the running one.

The running app listens on a QLocalServer named after its data dir; a newcomer sends a
JSON list of URLs, waits for "ok", and exits 0. A socket left by a crashed app is removed
before listening.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["SingleInstance", "server_name"]

log = logging.getLogger(__name__)
TIMEOUT_MS = 2000


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"rangeload-{digest}"


class SingleInstance(QObject):
    urls_received = Signal(list)  # list[str]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_server_new_connection)

    @staticmethod
    def hand_over(name: str, urls: Sequence[str]) -> bool:
        """Send ``urls`` to a running app; True if one took them."""
        socket = QLocalSocket()
        socket.connectToServer(name)
        if not socket.waitForConnected(TIMEOUT_MS):
            return False
        socket.write(QByteArray(json.dumps(list(urls)).encode() + b"\n"))
        socket.flush()
        socket.waitForBytesWritten(TIMEOUT_MS)
        ok = socket.waitForReadyRead(TIMEOUT_MS) and bytes(socket.readAll().data()).startswith(
            b"ok"
        )
        socket.disconnectFromServer()
        return ok

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
                if not buffer.endswith(b"\n"):
                    return
                try:
                    urls = json.loads(buffer.decode())
                except (UnicodeDecodeError, ValueError):
                    socket.disconnectFromServer()
                    return
                if isinstance(urls, list) and all(isinstance(u, str) for u in urls):
                    self.urls_received.emit(urls)
                socket.write(QByteArray(b"ok\n"))
                socket.flush()

            socket.readyRead.connect(on_ready_read)
            socket.disconnected.connect(socket.deleteLater)
