"""Speed over the last minutes, drawn: ``SpeedHistory`` keeps timed samples (per download
and in total; no Qt), and ``SpeedGraph`` paints one series with QPainter in the palette's
colours, so it reads on light and dark desktops. Samples come at the window's status
rate (twice a second), never per chunk."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui_app.ground.units import format_rate

__all__ = ["TOTAL", "SpeedGraph", "SpeedHistory"]

TOTAL = -1  # the key of the all-downloads series
WINDOW = 300.0  # seconds of history shown and kept


class SpeedHistory:
    """Timed speed samples per key, the last ``window`` seconds of each."""

    def __init__(self, window: float = WINDOW) -> None:
        self.window = window
        self._series: dict[int, deque[tuple[float, float]]] = {}

    def add(self, key: int, now: float, speed: float) -> None:
        series = self._series.setdefault(key, deque())
        series.append((now, speed))
        while series and series[0][0] < now - self.window:
            series.popleft()

    def series(self, key: int) -> list[tuple[float, float]]:
        return list(self._series.get(key, ()))

    def forget(self, keep: set[int]) -> None:
        """Drop every series but ``keep``'s (and the total)."""
        for key in [k for k in self._series if k not in keep and k != TOTAL]:
            del self._series[key]


class SpeedGraph(QWidget):
    def __init__(
        self,
        samples: Callable[[], list[tuple[float, float]]],
        now: Callable[[], float],
        parent: QWidget | None = None,
        window: float = WINDOW,
    ) -> None:
        super().__init__(parent)
        self._samples = samples
        self._now = now
        self._window = window
        self.setAccessibleName("Speed over the last minutes")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(40)

    def sizeHint(self) -> QSize:  # noqa: N802  # Qt's name
        return QSize(240, 48)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802  # Qt's name
        samples = self._samples()
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        top = max((speed for _, speed in samples), default=0.0)
        line = palette.color(QPalette.ColorRole.Highlight)
        if samples and top > 0:
            width, height = self.width() - 1, self.height() - 1
            now = self._now()
            points = [
                QPointF(width * (1 - (now - at) / self._window), height * (1 - speed / top))
                for at, speed in samples
            ]
            area = QPolygonF(
                [QPointF(points[0].x(), height), *points, QPointF(points[-1].x(), height)]
            )
            fill = QColor(line)
            fill.setAlpha(70)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawPolygon(area)
            painter.setPen(line)
            painter.drawPolyline(QPolygonF(points))
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        label = f"peak {format_rate(top)}" if top > 0 else "no transfer in the last minutes"
        painter.drawText(
            self.rect().adjusted(4, 2, -4, -2),
            Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft,
            label,
        )
        painter.end()
