"""What each column of the download list shows of a snapshot: its header, its text (and
the status's words for a stop), its alignment, and the value it sorts by. Pure: the model
asks here for every cell it paints."""

from __future__ import annotations

import enum
from typing import Any

from gui_app.engine import DownloadSnapshot, DownloadState
from gui_app.ground.units import format_bytes, format_duration, format_rate

__all__ = ["HEADERS", "RIGHT_ALIGNED", "Column", "display", "sort_key", "status_text"]


class Column(enum.IntEnum):
    NAME = 0
    SIZE = 1
    PROGRESS = 2
    SPEED = 3
    ETA = 4
    STATUS = 5


HEADERS = {
    Column.NAME: "Name",
    Column.SIZE: "Size",
    Column.PROGRESS: "Progress",
    Column.SPEED: "Speed",
    Column.ETA: "Time left",
    Column.STATUS: "Status",
}


RIGHT_ALIGNED = frozenset({Column.SIZE, Column.SPEED, Column.ETA})


def status_text(snapshot: DownloadSnapshot) -> str:
    record = snapshot.record
    state = record.state
    if state is DownloadState.PAUSED and record.error:
        return f"Paused: {record.error}"
    if state is DownloadState.FAILED:
        return f"Failed: {record.error or 'unknown error'}"
    if state is DownloadState.RUNNING and record.error:
        return record.error  # e.g. "retrying (2 of 8) in 4 s: server error (503)"
    return str(state.value).capitalize()


def display(snapshot: DownloadSnapshot, column: Column) -> str:
    record = snapshot.record
    active = record.state is DownloadState.RUNNING
    match column:
        case Column.NAME:
            return record.display_name
        case Column.SIZE:
            return "?" if record.size is None else format_bytes(record.size)
        case Column.PROGRESS:
            fraction = snapshot.fraction
            return "" if fraction is None else f"{100 * fraction:.1f}%"
        case Column.SPEED:
            return format_rate(snapshot.speed) if active else ""
        case Column.ETA:
            return format_duration(snapshot.eta) if active else ""
        case Column.STATUS:
            return status_text(snapshot)
    return ""


def sort_key(snapshot: DownloadSnapshot, column: Column) -> Any:
    """Unknown sizes, speeds and times sort first; names ignore case."""
    record = snapshot.record
    running = record.state is DownloadState.RUNNING
    match column:
        case Column.NAME:
            return record.display_name.casefold()
        case Column.SIZE:
            return -1 if record.size is None else record.size
        case Column.PROGRESS:
            fraction = snapshot.fraction
            return -1.0 if fraction is None else fraction
        case Column.SPEED:
            return snapshot.speed if running else -1.0
        case Column.ETA:
            return snapshot.eta if running and snapshot.eta is not None else -1.0
    return status_text(snapshot).casefold()
