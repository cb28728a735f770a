"""The queue's schedule: it runs from a start time to a stop time on chosen days (a window
that passes midnight ends the next morning), optionally with its own speed limit inside.
Pure and clock-free: callers pass the local time, so tests need no waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

__all__ = ["DAY_NAMES", "Schedule"]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Schedule:
    start: time
    stop: time  # equal to start: the window lasts a whole day
    days: frozenset[int]  # the weekdays a window starts on, 0 = Monday
    speed_limit: int | None = None  # bytes per second inside the window; None: as set

    def __post_init__(self) -> None:
        if not self.days or not self.days <= set(range(7)):
            raise ValueError("a schedule needs at least one day of the week")
        if self.speed_limit is not None and self.speed_limit < 1:
            raise ValueError("the schedule's speed limit must be at least 1 byte/s")

    def _window(self, day: date) -> tuple[datetime, datetime]:
        opens = datetime.combine(day, self.start)
        closes = datetime.combine(day, self.stop)
        if closes <= opens:
            closes += timedelta(days=1)
        return opens, closes

    def is_open(self, now: datetime) -> bool:
        for back in (0, 1):  # today's window, or yesterday's running past midnight
            day = now.date() - timedelta(days=back)
            if day.weekday() in self.days:
                opens, closes = self._window(day)
                if opens <= now < closes:
                    return True
        return False

    def next_change(self, now: datetime) -> datetime:
        """When the queue next starts or stops (within the coming week)."""
        edges = []
        for ahead in range(-1, 8):
            day = now.date() + timedelta(days=ahead)
            if day.weekday() in self.days:
                edges += [edge for edge in self._window(day) if edge > now]
        open_now = self.is_open(now)
        for edge in sorted(edges):
            if self.is_open(edge) != open_now:
                return edge
        return min(edges)  # open all week: the next window's end and start meet

    def describe(self, now: datetime) -> str:
        """``runs 01:00-07:00 Mon, Tue; starts Tue 01:00`` for the status bar."""
        days = ", ".join(DAY_NAMES[d] for d in sorted(self.days))
        change = self.next_change(now)
        verb = "stops" if self.is_open(now) else "starts"
        when = (
            change.strftime("%H:%M")
            if change.date() == now.date()
            else (f"{DAY_NAMES[change.weekday()]} {change:%H:%M}")
        )
        return f"runs {self.start:%H:%M}-{self.stop:%H:%M} {days}; {verb} {when}"
