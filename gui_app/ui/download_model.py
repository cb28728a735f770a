"""The downloads table: a QAbstractTableModel over engine snapshots.

The manager announces rows (added, removed) through the bridge and the model forwards
them as beginInsertRows / beginRemoveRows. Progress is pulled: a timer polls
``snapshot()`` a few times a second and emits dataChanged only for rows that changed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

from gui_app.engine.models import DownloadId, DownloadRecord, DownloadSnapshot, DownloadState
from gui_app.engine.urls import redact_url
from gui_app.ui.bridge import EngineBridge
from gui_app.units import format_bytes, format_duration, format_rate

__all__ = ["SNAPSHOT_ROLE", "Column", "DownloadModel"]

SNAPSHOT_ROLE = Qt.ItemDataRole.UserRole + 1
POLL_INTERVAL_MS = 200

Index = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    NAME = 0
    SIZE = 1
    PROGRESS = 2
    SPEED = 3
    ETA = 4
    STATUS = 5


_HEADERS = {
    Column.NAME: "Name",
    Column.SIZE: "Size",
    Column.PROGRESS: "Progress",
    Column.SPEED: "Speed",
    Column.ETA: "Time left",
    Column.STATUS: "Status",
}


def status_text(snapshot: DownloadSnapshot) -> str:
    record = snapshot.record
    state = record.state
    if state is DownloadState.PAUSED and record.error:
        return f"Paused: {record.error}"
    if state is DownloadState.FAILED:
        return f"Failed: {record.error or 'unknown error'}"
    if state is DownloadState.RUNNING and record.error:
        return record.error  # e.g. "server error (503); retrying"
    return str(state.value).capitalize()


def display_name(record: DownloadRecord) -> str:
    return record.filename or redact_url(record.url)


class DownloadModel(QAbstractTableModel):
    def __init__(
        self,
        snapshot: Callable[[], Sequence[DownloadSnapshot]],
        bridge: EngineBridge,
        parent: QObject | None = None,
        interval_ms: int = POLL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._poll = snapshot
        self._rows: list[DownloadSnapshot] = list(snapshot())
        bridge.download_added.connect(self._on_bridge_download_added)
        bridge.download_removed.connect(self._on_bridge_download_removed)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()

    # -- Qt overrides ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802  # Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802  # Qt's signature
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802  # Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS.get(Column(section)) if 0 <= section < len(Column) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        snapshot = self._rows[index.row()]
        column = Column(index.column())
        if role == SNAPSHOT_ROLE:
            return snapshot
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(snapshot, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.NAME:
                return redact_url(snapshot.record.url)
            if column is Column.STATUS:
                return status_text(snapshot)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            Column.SIZE, Column.SPEED, Column.ETA,
        ):  # fmt: skip
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # -- content -----------------------------------------------------------------------

    @staticmethod
    def _display(snapshot: DownloadSnapshot, column: Column) -> str:
        record = snapshot.record
        active = record.state is DownloadState.RUNNING
        match column:
            case Column.NAME:
                return display_name(record)
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

    def snapshot_at(self, row: int) -> DownloadSnapshot:
        return self._rows[row]

    def row_of(self, download_id: DownloadId) -> int | None:
        for row, snapshot in enumerate(self._rows):
            if snapshot.id == download_id:
                return row
        return None

    def refresh(self) -> None:
        """Pull fresh snapshots; signal only the rows that changed."""
        fresh = {s.id: s for s in self._poll()}
        for row, old in enumerate(self._rows):
            new = fresh.get(old.id)
            if new is not None and new != old:
                self._rows[row] = new
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    # -- slots -------------------------------------------------------------------------

    def _on_timer_timeout(self) -> None:
        self.refresh()

    def _on_bridge_download_added(self, record: DownloadRecord) -> None:
        if self.row_of(record.id) is not None:
            return
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(DownloadSnapshot(record, record.done_bytes, 0.0, None))
        self.endInsertRows()

    def _on_bridge_download_removed(self, download_id: DownloadId) -> None:
        row = self.row_of(download_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
