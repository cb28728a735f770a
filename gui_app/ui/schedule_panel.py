"""The Settings dialog's schedule: run the queue only from a start time to a stop time on
chosen days, optionally at another speed limit inside those hours."""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QTimeEdit,
    QWidget,
)

from gui_app.app.schedule import DAY_NAMES, Schedule
from gui_app.ground.units import format_rate, parse_rate

__all__ = ["SchedulePanel"]


class SchedulePanel(QWidget):
    changed = Signal()

    def __init__(self, schedule: Schedule | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        given = schedule or Schedule(time(1, 0), time(7, 0), frozenset(range(7)))
        self.enabled = QCheckBox("Run the queue only at these times")
        self.enabled.setChecked(schedule is not None)
        self.start = QTimeEdit(QTime(given.start.hour, given.start.minute))
        self.start.setAccessibleName("Start time")
        self.stop = QTimeEdit(QTime(given.stop.hour, given.stop.minute))
        self.stop.setAccessibleName("Stop time")
        for edit in (self.start, self.stop):
            edit.setDisplayFormat("HH:mm")
            edit.timeChanged.connect(self.changed)
        self.days = [QCheckBox(name) for name in DAY_NAMES]
        days = QHBoxLayout()
        for number, box in enumerate(self.days):
            box.setChecked(number in given.days)
            box.toggled.connect(self.changed)
            days.addWidget(box)
        limit = given.speed_limit
        self.speed_limit = QLineEdit("" if limit is None else format_rate(limit).split("/")[0])
        self.speed_limit.setPlaceholderText("as in General (or e.g. 10M)")
        self.speed_limit.setAccessibleName("Speed limit inside these hours")
        self.speed_limit.textChanged.connect(self.changed)
        self.enabled.toggled.connect(self._on_enabled_toggled)
        form = QFormLayout(self)
        form.addRow(self.enabled)
        form.addRow("Start", self.start)
        form.addRow("Stop", self.stop)
        form.addRow("On", days)
        form.addRow("Speed limit", self.speed_limit)
        self._on_enabled_toggled(self.enabled.isChecked())

    def _on_enabled_toggled(self, on: bool) -> None:
        for widget in (self.start, self.stop, self.speed_limit, *self.days):
            widget.setEnabled(on)
        self.changed.emit()

    def schedule(self) -> Schedule | None:
        """The schedule chosen, or None when off; ValueError saying what is wrong."""
        if not self.enabled.isChecked():
            return None
        start, stop = self.start.time(), self.stop.time()
        text = self.speed_limit.text().strip()
        return Schedule(
            time(start.hour(), start.minute()),
            time(stop.hour(), stop.minute()),
            frozenset(n for n, box in enumerate(self.days) if box.isChecked()),
            parse_rate(text) if text else None,
        )
