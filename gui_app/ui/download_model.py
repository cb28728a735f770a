"""The downloads table: a QAbstractTableModel over engine snapshots.

The manager announces rows (added, removed) and state changes through the bridge and the
model forwards them (beginInsertRows, dataChanged for that one row). Progress is pulled:
a poller thread takes the *running* downloads' snapshots a few times a second (taking
them means waiting on engine locks, which the GUI thread must never do) and hands them over
through a queued signal; the model emits dataChanged only for rows that changed, so a list
of thousands costs what its few running downloads cost. The poller sleeps while nothing
runs (as qutebrowser stops its refresh timer), woken by the event that starts a download.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from gui_app.engine import DownloadId, DownloadRecord, DownloadSnapshot, DownloadState
from gui_app.ground.urls import redact_url
from gui_app.ui.bridge import EngineBridge
from gui_app.ui.download_cells import (
    HEADERS,
    RIGHT_ALIGNED,
    Column,
    display,
    sort_key,
    status_text,
)

__all__ = [
    "IDS_MIME",
    "QUEUE_ROLE",
    "SNAPSHOT_ROLE",
    "SORT_ROLE",
    "DownloadModel",
    "Summary",
]

log = logging.getLogger(__name__)

SNAPSHOT_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that orders the column: numbers, words
QUEUE_ROLE = Qt.ItemDataRole.UserRole + 3  # the download's place in the queue's order
IDS_MIME = "application/x-rangeload-download-ids"  # rows dragged within the table
POLL_INTERVAL_MS = 200
_POLLED_STATES = frozenset({DownloadState.RUNNING, DownloadState.VERIFYING})

Index = QModelIndex | QPersistentModelIndex


class SnapshotSource(Protocol):
    """What the model reads from the engine (any ``Engine`` is one)."""

    def snapshot(self) -> tuple[DownloadSnapshot, ...]: ...
    def active_snapshot(self) -> tuple[DownloadSnapshot, ...]: ...


@dataclass(frozen=True)
class Summary:
    """The whole list at a glance, for the status bar and the tray."""

    counts: dict[DownloadState, int]
    speed: float  # bytes per second, all running downloads

    @property
    def active(self) -> int:
        return self.counts[DownloadState.RUNNING] + self.counts[DownloadState.VERIFYING]


def row_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Adjacent rows as inclusive (first, last) runs: [5, 1, 2, 3] -> [(1, 3), (5, 5)]."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _each_role(span: QModelRoleDataSpan | QModelRoleData) -> list[QModelRoleData]:
    if isinstance(span, QModelRoleData):
        return [span]
    roles: list[QModelRoleData] = list(span)  # type: ignore[call-overload]  # stubs omit __iter__
    return roles


_ENDS = (DownloadState.COMPLETED, DownloadState.FAILED)  # announced by download_finished


class DownloadModel(QAbstractTableModel):
    """Every download as a row: added and removed by the bridge's events, changed by
    ``DownloadChanged`` and by a poller thread's snapshots of running rows (4-10 Hz,
    never per chunk). Sorts its own rows; the filter above it only filters. It never
    calls the engine but to read snapshots, and never on the GUI thread."""

    rows_refreshed = Signal(list)  # list[int]: rows whose snapshot changed, once per refresh
    # DownloadRecord: a download that just completed or failed, announced once per end
    # (the tray's message, the problem desk's question); a repeated event is not another
    download_finished = Signal(object)
    rows_dropped = Signal(list, object)  # list[DownloadId], DownloadId | None: dragged rows
    # dropped just before that download's row (None: after the last)
    _polled = Signal(object)  # tuple[DownloadSnapshot, ...], from the poller thread

    def __init__(
        self,
        source: SnapshotSource,
        bridge: EngineBridge,
        parent: QObject | None = None,
        interval_ms: int = POLL_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._rows: list[DownloadSnapshot] = list(source.snapshot())
        self._order: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._rows.sort(key=self._key_of)
        self._sorted = True  # the rows are in ``_order``: no row changed since
        self._row_of: dict[DownloadId, int] = {s.id: row for row, s in enumerate(self._rows)}
        bridge.download_added.connect(self._on_bridge_download_added)
        bridge.download_removed.connect(self._on_bridge_download_removed)
        bridge.download_changed.connect(self._on_bridge_download_changed)
        self._polled.connect(self._on_poller_polled)
        self._stop = threading.Event()
        self._active = threading.Event()  # set while some row runs: the poller polls
        self._update_polling()
        self._poller = threading.Thread(
            target=self._poll, args=(interval_ms / 1000,), name="rangeload-ui-poll", daemon=True
        )
        self._poller.start()
        self.destroyed.connect(self._stop.set)
        self.destroyed.connect(self._active.set)

    @property
    def polling(self) -> bool:
        """Is the poller taking snapshots (some download runs), or asleep?"""
        return self._active.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the poller thread and wait for it (the window does this when it closes)."""
        self._stop.set()
        self._active.set()  # wake it to see the stop
        if self._poller.is_alive() and self._poller is not threading.current_thread():
            self._poller.join(timeout)

    def _update_polling(self) -> None:
        if any(s.state in _POLLED_STATES for s in self._rows):
            self._active.set()
        else:
            self._active.clear()

    def _poll(self, interval: float) -> None:
        """On the poller thread: take snapshots, hand them to the GUI thread; asleep while
        nothing runs."""
        while not self._stop.is_set():
            self._active.wait()
            if self._stop.wait(interval):
                return
            if not self._active.is_set():
                continue
            try:
                snapshots = self._source.active_snapshot()
            except Exception as error:  # the engine is gone; the window says so (EngineLost)
                log.debug("polling stopped: %s", error)
                return
            if not snapshots:
                continue
            try:
                self._polled.emit(snapshots)
            except RuntimeError:  # the model was deleted meanwhile
                return

    # -- Qt overrides ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802  # Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802  # Qt's signature
        return 0 if parent.isValid() else len(Column)

    def headerData(  # noqa: N802  # Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(Column(section)) if 0 <= section < len(Column) else None
        return None

    # Rows are dragged to reorder the queue, only while the table shows the queue's order
    # (after a sort by size, "before that row" would mean nothing). The drop is announced
    # (rows_dropped); the rows move when the engine's updated orders come back.

    @property
    def in_queue_order(self) -> bool:
        return self._order[0] < 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self.in_queue_order:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
            if index.isValid():
                flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802  # Qt's name
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:  # noqa: N802  # Qt's name
        return [IDS_MIME]

    def mimeData(self, indexes: Iterable[QModelIndex]) -> QMimeData:  # noqa: N802  # Qt's name
        rows = sorted({index.row() for index in indexes if index.isValid()})
        mime = QMimeData()
        ids = [int(self._rows[row].id) for row in rows if row < len(self._rows)]
        mime.setData(IDS_MIME, QByteArray(json.dumps(ids).encode()))
        return mime

    def canDropMimeData(  # noqa: N802  # Qt's name
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return self.in_queue_order and data.hasFormat(IDS_MIME)

    def dropMimeData(  # noqa: N802  # Qt's name
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            wanted = json.loads(bytes(data.data(IDS_MIME).data()))
        except ValueError:
            return False
        ids = [DownloadId(i) for i in wanted if isinstance(i, int) and i in self._row_of]
        if not ids:
            return False
        if row < 0 and parent.isValid():
            row = parent.row()  # dropped onto a row: just before it
        before = self._rows[row].id if 0 <= row < len(self._rows) else None
        self.rows_dropped.emit(ids, before)
        # Taken. The view then asks to remove the dragged rows where the drag began;
        # removeRows is not ours to answer (it stays QAbstractItemModel's no-op), since
        # the rows move when the engine's new orders come back.
        return True

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._value(self._rows[index.row()], Column(index.column()), role)

    def multiData(self, index: Index, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:  # noqa: N802, N803  # Qt's names
        """All the roles a delegate asks for in one call: painting a cell costs one call
        into Python, not seven (each call has to win the GIL from the engine's threads)."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            for role_data in _each_role(roleDataSpan):
                role_data.clearData()
            return
        snapshot = self._rows[index.row()]
        column = Column(index.column())
        for role_data in _each_role(roleDataSpan):
            value = self._value(snapshot, column, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    @staticmethod
    def _value(snapshot: DownloadSnapshot, column: Column, role: int) -> Any:
        if role == SNAPSHOT_ROLE:
            return snapshot
        if role == SORT_ROLE:
            return sort_key(snapshot, column)
        if role == QUEUE_ROLE:
            return snapshot.record.queue_order
        if role == Qt.ItemDataRole.DisplayRole:
            return display(snapshot, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.NAME:
                return redact_url(snapshot.record.url)
            if column is Column.STATUS:
                return status_text(snapshot)
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by ``column`` (-1: the queue's order), in Python, once: a
        proxy's sort would call ``data`` for every comparison, seconds for 10,000 rows.
        Selections and persistent indexes follow their downloads."""
        if (column, order) == self._order and self._sorted:
            return  # the view asks twice for one click
        self._order = (column, order)
        self._resort()

    def _key_of(self, snapshot: DownloadSnapshot) -> Any:
        column = self._order[0]
        if column < 0:
            return (snapshot.record.queue_order, snapshot.id)
        return (sort_key(snapshot, Column(column)), snapshot.id)

    def _resort(self) -> None:
        reverse = self._order[1] == Qt.SortOrder.DescendingOrder and self._order[0] >= 0
        ordered = sorted(self._rows, key=self._key_of, reverse=reverse)
        self._sorted = True
        if [s.id for s in ordered] == [s.id for s in self._rows]:
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        ids = [self._rows[index.row()].id for index in old_persistent]
        self._rows = ordered
        self._row_of = {s.id: row for row, s in enumerate(self._rows)}
        self.changePersistentIndexList(
            old_persistent,
            [
                self.index(self._row_of[i], index.column())
                for i, index in zip(ids, old_persistent, strict=True)
            ],
        )
        self.layoutChanged.emit()

    def snapshot_at(self, row: int) -> DownloadSnapshot:
        return self._rows[row]

    def snapshots(self) -> list[DownloadSnapshot]:
        """Every row's snapshot, in the model's order (counts, the sidebar)."""
        return list(self._rows)

    def summary(self) -> Summary:
        """Counts by state and the total speed, from the rows (no engine lock taken)."""
        counts = dict.fromkeys(DownloadState, 0)
        speed = 0.0
        for snapshot in self._rows:
            counts[snapshot.state] += 1
            if snapshot.state is DownloadState.RUNNING:
                speed += snapshot.speed
        return Summary(counts, speed)

    def row_of(self, download_id: DownloadId) -> int | None:
        return self._row_of.get(download_id)

    def _apply(self, snapshots: tuple[DownloadSnapshot, ...]) -> None:
        changed = []
        for snapshot in snapshots:
            row = self._row_of.get(snapshot.id)
            if row is not None and self._rows[row] != snapshot:
                self._rows[row] = snapshot
                changed.append(row)
        if not changed:
            return
        self._sorted = False
        # One dataChanged per run of adjacent rows (running downloads usually sit
        # together): each emit is a trip through Qt that has to win the GIL back.
        for first, last in row_runs(changed):
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))
        self.rows_refreshed.emit(sorted(changed))

    def refresh(self) -> None:
        """Pull the running downloads' snapshots now (tests; the poller does it otherwise)."""
        self._on_poller_polled(self._source.active_snapshot())

    # -- slots -------------------------------------------------------------------------

    def _on_poller_polled(self, snapshots: tuple[DownloadSnapshot, ...]) -> None:
        # States change only through events: a poll taken just before a pause can arrive
        # after the pause's event, and must not make the row say "Running" again.
        rows, row_of = self._rows, self._row_of
        self._apply(
            tuple(s for s in snapshots if s.id in row_of and rows[row_of[s.id]].state is s.state)
        )

    def _on_bridge_download_added(self, record: DownloadRecord) -> None:
        if self.row_of(record.id) is not None:
            return
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(DownloadSnapshot.idle(record))
        self._row_of[record.id] = row
        self._sorted = False
        self.endInsertRows()
        self._update_polling()

    def _on_bridge_download_changed(self, record: DownloadRecord) -> None:
        row = self._row_of.get(record.id)
        if row is None:
            return
        was = self._rows[row].record
        if record.state is DownloadState.RUNNING:
            # Keep the live figures until the next poll brings fresh ones.
            snapshot = replace(self._rows[row], record=record)
        else:
            snapshot = DownloadSnapshot.idle(record)
        moved = was.queue_order != record.queue_order
        self._apply((snapshot,))
        self._update_polling()
        if moved and self._order[0] < 0:  # shown in the queue's order, which changed
            self._resort()
        if record.state in _ENDS and was.state is not record.state:
            self.download_finished.emit(record)

    def _on_bridge_download_removed(self, download_id: DownloadId) -> None:
        row = self.row_of(download_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._row_of = {s.id: r for r, s in enumerate(self._rows)}
        self.endRemoveRows()
        self._update_polling()
