"""Paints the Progress column as a segment map: written regions, and each live
connection's position as a tick, with the percentage on top."""

from __future__ import annotations

from PySide6.QtCore import QLine, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from gui_app.engine import DownloadSnapshot
from gui_app.ui.download_model import SNAPSHOT_ROLE

__all__ = ["ProgressDelegate"]


class ProgressDelegate(QStyledItemDelegate):
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        snapshot = index.data(SNAPSHOT_ROLE)
        if not isinstance(snapshot, DownloadSnapshot):
            super().paint(painter, option, index)
            return
        # Few calls into Qt: each one hands the GIL to the engine's threads and waits to
        # get it back, so the regions and ticks go in one call each.
        palette = option.palette
        rect: QRect = option.rect.adjusted(3, 4, -3, -4)
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.Highlight))
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        size = snapshot.record.size
        if size:
            left, top, width = rect.left() + 1, rect.top() + 1, rect.width() - 2
            height = rect.height() - 2
            done = [
                QRect(
                    left + region.first * width // size,
                    top,
                    max(1, region.length * width // size),
                    height,
                )
                for region in snapshot.done_regions
            ]
            if done:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(palette.color(QPalette.ColorRole.Accent))
                painter.drawRects(done)
            ticks = [
                QLine(x, top, x, top + height - 1)
                for x in (
                    left + min(c.position, size) * width // size for c in snapshot.connections
                )
            ]
            if ticks:
                painter.setPen(palette.color(QPalette.ColorRole.Text))
                painter.drawLines(ticks)
        fraction = snapshot.fraction
        if fraction is not None:
            text = f"{100 * fraction:.1f}%"
            # On a plate of the base colour, so the figure reads over any map beneath it.
            plate = option.fontMetrics.boundingRect(text).adjusted(-4, 0, 4, 0)
            plate.moveCenter(rect.center())
            backing = QColor(palette.color(QPalette.ColorRole.Base))
            backing.setAlpha(215)
            painter.fillRect(plate.intersected(rect.adjusted(1, 1, -1, -1)), backing)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
