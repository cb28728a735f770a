"""The Qt bindings keep Python's reference counts: PySide6 6.12.0 dropped a reference to
None on every void call, so a window that paints (the segment map calls QPainter's void
methods many times a second) aborted with "deallocating None" after some minutes."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl

CALLS = 2000


def test_void_painter_calls_keep_none_alive(qapp: QApplication) -> None:
    image = QImage(40, 40, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    rect, color = QRect(1, 1, 10, 10), QColor(10, 20, 30)
    try:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            painter.save()
            painter.setPen(color)
            painter.drawRect(rect)
            painter.fillRect(rect, color)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "1%")
            painter.restore()
        drift = sys.getrefcount(None) - before
    finally:
        painter.end()
    assert abs(drift) < CALLS // 10, f"None's reference count moved by {drift}"


def test_repainting_the_window_keeps_none_alive(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow
) -> None:
    window.links.add_urls([data_url("&rate=1M")])
    qtbot.waitUntil(
        lambda: (
            window.model.rowCount() == 1
            and window.model.snapshot_at(0).state is DownloadState.RUNNING
        ),
        timeout=5000,
    )
    qtbot.waitUntil(lambda: bool(window.model.snapshot_at(0).done_regions), timeout=5000)
    before = sys.getrefcount(None)
    for _ in range(200):
        window.view.viewport().repaint()  # the segment map, painted now
    drift = sys.getrefcount(None) - before
    assert abs(drift) < 500, f"None's reference count moved by {drift} over 200 repaints"
