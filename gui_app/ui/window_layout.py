"""The window's size, position and column widths, kept in the store's settings between
runs (the app writes these keys; the engine never reads them)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QHeaderView, QWidget

from gui_app.engine import Store

__all__ = ["GEOMETRY_KEY", "HEADER_KEY", "layout_settings", "restore_layout"]

GEOMETRY_KEY = "window.geometry"
HEADER_KEY = "window.columns"


def restore_layout(window: QWidget, header: QHeaderView, store: Store) -> None:
    geometry = store.get_setting(GEOMETRY_KEY)
    columns = store.get_setting(HEADER_KEY)
    if geometry:
        window.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
    if columns:
        header.restoreState(QByteArray.fromBase64(columns.encode()))


def layout_settings(window: QWidget, header: QHeaderView) -> dict[str, str]:
    """The settings to save: key, value."""
    return {
        GEOMETRY_KEY: bytes(window.saveGeometry().toBase64().data()).decode(),
        HEADER_KEY: bytes(header.saveState().toBase64().data()).decode(),
    }
