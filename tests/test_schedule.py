"""The queue's schedule as pure time arithmetic: windows on chosen days, through midnight,
a whole day when start and stop meet; the state flips exactly at ``next_change``."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.app.schedule import Schedule

MONDAY = datetime(2026, 11, 30)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def test_a_night_window_on_weekdays() -> None:
    night = Schedule(time(23, 0), time(6, 30), frozenset(range(5)))
    assert night.is_open(at(0, 23, 30))
    assert night.is_open(at(1, 6, 29))  # Monday's window, on Tuesday morning
    assert not night.is_open(at(1, 6, 30))
    assert night.is_open(at(5, 2))  # Friday's window reaches into Saturday
    assert not night.is_open(at(5, 23, 30))  # no window starts on Saturday
    assert night.next_change(at(5, 12)) == at(7, 23)  # Monday next
    assert night.describe(at(0, 12)) == "runs 23:00-06:30 Mon, Tue, Wed, Thu, Fri; starts 23:00"


def test_bad_schedules_say_why() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        Schedule(time(1), time(2), frozenset())
    with pytest.raises(ValueError, match="at least 1 byte/s"):
        Schedule(time(1), time(2), frozenset({1}), 0)


times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@given(
    times,
    times,
    st.sets(st.integers(0, 6), min_size=1, max_size=6),
    st.integers(0, 7 * 24 * 60 - 1),
)
def test_the_state_flips_exactly_at_the_next_change(
    start: time, stop: time, days: set[int], minute: int
) -> None:
    schedule = Schedule(start, stop, frozenset(days))
    now = MONDAY + timedelta(minutes=minute)
    change = schedule.next_change(now)
    assert change > now
    assert schedule.is_open(change) != schedule.is_open(now)
    assert schedule.is_open(change - timedelta(minutes=1)) == schedule.is_open(now)
