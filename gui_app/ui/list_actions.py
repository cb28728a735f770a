"""Actions on many downloads at once that need more than one engine call: their speed
limit and connections (the Limits dialog, applied live) and Remove completed (the list
forgets them; their files stay). Engine calls run on the command runner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from gui_app.engine import DownloadSnapshot, DownloadState, Engine
from gui_app.ui.commands import CommandRunner
from gui_app.ui.limits_dialog import LimitsDialog

__all__ = ["ListActions"]


class ListActions(QObject):
    message_posted = Signal(str, int)  # text for the status bar, for how many ms

    def __init__(
        self,
        engine: Engine,
        runner: CommandRunner,
        listed: Callable[[], Sequence[DownloadSnapshot]],
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self._engine = engine
        self._runner = runner
        self._listed = listed
        self._window = window
        self.limits_dialog: LimitsDialog | None = None  # the last one opened

    def ask_limits(self, selected: Sequence[DownloadSnapshot]) -> None:
        if not selected:
            return
        dialog = self.limits_dialog = LimitsDialog(selected, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(partial(self._on_limits_accepted, dialog))
        dialog.open()

    def _on_limits_accepted(self, dialog: LimitsDialog) -> None:
        rate, count = dialog.rate(), dialog.connections.value()
        for download_id in dialog.ids:
            self._runner.run(partial(self._engine.set_rate_limit, download_id, rate))
            self._runner.run(partial(self._engine.set_connections, download_id, count))

    def remove_completed(self) -> None:
        done = [s.id for s in self._listed() if s.state is DownloadState.COMPLETED]
        for download_id in done:
            self._runner.run(partial(self._engine.remove, download_id))
        self.message_posted.emit(
            f"Removed {len(done)} completed download{'s' if len(done) != 1 else ''} from the "
            "list; their files stay",
            6000,
        )
