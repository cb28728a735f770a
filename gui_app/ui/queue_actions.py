"""Move to top, up, down and bottom, and rows dragged in the table: the downloads' place
in the queue, in which queued downloads start. The engine keeps the order (it survives
restarts); the table shows it when no column header is chosen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from gui_app.engine import DownloadId, Engine, QueueMove
from gui_app.ui.commands import CommandRunner

__all__ = ["QueueActions"]

_ACTIONS = (
    (QueueMove.TOP, "Move to &top", "Ctrl+Shift+Home"),
    (QueueMove.UP, "Move &up", "Ctrl+Shift+Up"),
    (QueueMove.DOWN, "Move do&wn", "Ctrl+Shift+Down"),
    (QueueMove.BOTTOM, "Move to &bottom", "Ctrl+Shift+End"),
)


class QueueActions(QObject):
    def __init__(
        self,
        engine: Engine,
        runner: CommandRunner,
        selected: Callable[[], Sequence[DownloadId]],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._runner = runner
        self._selected = selected
        self.actions: list[QAction] = []
        for to, text, keys in _ACTIONS:
            action = QAction(text, parent)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(partial(self._on_move_triggered, to))
            self.actions.append(action)

    def set_enabled(self, enabled: bool) -> None:
        for action in self.actions:
            action.setEnabled(enabled)

    def place(self, ids: list[DownloadId], before: DownloadId | None) -> None:
        """Put ``ids`` just before ``before`` (None: last): rows dragged in the table."""
        self._runner.run(partial(self._engine.place, ids, before))

    def _on_move_triggered(self, to: QueueMove) -> None:
        ids = list(self._selected())
        if ids:
            self._runner.run(partial(self._engine.move, ids, to))
