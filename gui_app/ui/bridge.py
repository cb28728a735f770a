"""The one bridge from engine threads to the GUI thread.

The engine calls ``EngineBridge._on_engine_event`` from its worker threads; the bridge
lives in the GUI thread, so each signal it emits is queued there by Qt. Nothing else in
the UI receives engine callbacks.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from gui_app.engine import (
    DownloadAdded,
    DownloadChanged,
    DownloadEvent,
    DownloadRemoved,
    EngineLost,
)

__all__ = ["EngineBridge"]


class EngineBridge(QObject):
    """The engine's four events as queued Qt signals, one each: a consumer that cares
    about a transition (completed, failed) compares with the record it had, as the
    download model does once for every listener (``DownloadModel.download_finished``)."""

    download_added = Signal(object)  # DownloadRecord
    download_changed = Signal(object)  # DownloadRecord: any change, its state too
    download_removed = Signal(int)  # DownloadId
    engine_lost = Signal(str)  # why the engine's process ended unasked

    def __init__(
        self,
        subscribe: Callable[[Callable[[DownloadEvent], None]], Callable[[], None]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._unsubscribe = subscribe(self._on_engine_event)

    def detach(self) -> None:
        self._unsubscribe()

    def _on_engine_event(self, event: DownloadEvent) -> None:
        """Called on engine threads: only emits, never touches a widget."""
        match event:
            case DownloadAdded(record=record):
                self.download_added.emit(record)
            case DownloadChanged(record=record):
                self.download_changed.emit(record)
            case DownloadRemoved(id=download_id):
                self.download_removed.emit(download_id)
            case EngineLost(reason=reason):
                self.engine_lost.emit(reason)
