"""Tools > Share a folder: the bundled server over one folder, on a free loopback port.

The server's stack (FastAPI, Starlette, uvicorn) is imported only when the user shares a
folder, on the command thread: the window's start-up never pays for it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from gui_app.ui.commands import CommandRunner

if TYPE_CHECKING:
    from gui_app.server.runner import ServerThread

__all__ = ["FolderSharing"]


def _start_server(folder: Path) -> ServerThread:
    """On the command thread."""
    from gui_app.server.runner import ServerThread

    return ServerThread.serving(folder).start()


class FolderSharing(QObject):
    sharing_started = Signal(str)  # the server's address
    sharing_stopped = Signal()
    sharing_failed = Signal(str)  # why, in words

    def __init__(self, runner: CommandRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._server: ServerThread | None = None  # only the GUI thread touches it

    @property
    def address(self) -> str | None:
        return None if self._server is None else self._server.url

    def share(self, folder: Path) -> None:
        """Stop sharing what was shared, then share ``folder``."""
        self.stop()
        self._runner.run(partial(_start_server, folder), self._on_started, self._on_failed)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            self._runner.run(server.stop)
            self.sharing_stopped.emit()

    def _on_started(self, server: ServerThread) -> None:
        self._server = server
        self.sharing_started.emit(server.url)

    def _on_failed(self, error: Exception) -> None:
        self.sharing_failed.emit(str(error))
