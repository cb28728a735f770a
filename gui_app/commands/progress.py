"""``rangeload get``'s progress on a terminal: one line per running download, fitted to
the terminal's width and redrawn in place by rich (names are cut with an ellipsis rather
than the line wrapping). The figures are the engine's own: its rolling speed and ETA."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Column

from gui_app.engine import DownloadId, DownloadSnapshot
from gui_app.ground.units import format_bytes, format_duration, format_rate

__all__ = ["TerminalProgress"]


class TerminalProgress:
    def __init__(self, stream: TextIO) -> None:
        self._progress = Progress(
            TextColumn(
                "{task.description}",
                table_column=Column(
                    no_wrap=True, overflow="ellipsis", min_width=8, max_width=40, ratio=3
                ),
            ),
            BarColumn(bar_width=None, table_column=Column(min_width=6, ratio=2)),
            TextColumn("{task.fields[figures]}", table_column=Column(no_wrap=True)),
            console=Console(file=stream),
            refresh_per_second=4,
            expand=True,
        )
        self._tasks: dict[DownloadId, TaskID] = {}

    def __enter__(self) -> TerminalProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def show(self, snapshots: Sequence[DownloadSnapshot]) -> None:
        for snapshot in snapshots:
            record = snapshot.record
            task = self._tasks.get(snapshot.id)
            if task is None:
                task = self._progress.add_task(record.display_name, figures="")
                self._tasks[snapshot.id] = task
            fraction = snapshot.fraction
            percent = "  ?  " if fraction is None else f"{100 * fraction:5.1f}%"
            size = "?" if record.size is None else format_bytes(record.size)
            figures = (
                f"{percent} {format_bytes(snapshot.done_bytes)}/{size} "
                f"{format_rate(snapshot.speed)} {format_duration(snapshot.eta)} "
                f"x{len(snapshot.connections)}"
                if snapshot.state.is_active
                else str(snapshot.state.value)
            )
            self._progress.update(
                task, total=record.size, completed=snapshot.done_bytes, figures=figures
            )
