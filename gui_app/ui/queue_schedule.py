"""The schedule at work: every few seconds (and at once when the settings change) the
queue is held outside the schedule's hours and released inside them, and the global speed
limit follows the hours' own. The clock is injectable: tests move time, not wait for it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from PySide6.QtCore import QObject, QTimer, Signal

from gui_app.app.settings import Settings
from gui_app.engine import Engine
from gui_app.ui.commands import CommandRunner

__all__ = ["QueueSchedule"]

CHECK_MS = 5000


class QueueSchedule(QObject):
    held_changed = Signal(bool)  # True: the queue waits for its hours

    def __init__(
        self,
        engine: Engine,
        runner: CommandRunner,
        settings: Callable[[], Settings],
        parent: QObject | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._runner = runner
        self._settings = settings
        self.clock = clock
        self.held = False
        self._limit: int | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Hold or release the queue, and set the limit, as the schedule says now."""
        settings, now = self._settings(), self.clock()
        schedule = settings.schedule
        held = schedule is not None and not schedule.is_open(now)
        if held != self.held:
            self.held = held
            self._runner.run(partial(self._engine.hold_queue, held))
            self.held_changed.emit(held)
        limit = settings.global_limit_at(now)
        if limit != self._limit:
            self._limit = limit
            self._runner.run(partial(self._engine.set_global_rate_limit, limit))

    def describe(self) -> str:
        schedule = self._settings().schedule
        return "" if schedule is None else f"Queue {schedule.describe(self.clock())}"
