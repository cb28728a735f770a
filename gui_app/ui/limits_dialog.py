"""Speed limit and connections for the selected downloads, applied at once, also to the
running ones (the engine changes both live)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from gui_app.engine import MAX_CONNECTIONS, DownloadSnapshot
from gui_app.ground.units import format_rate, parse_rate
from gui_app.ui.checked_dialog import ok_cancel, show_check

__all__ = ["LimitsDialog"]


class LimitsDialog(QDialog):
    def __init__(self, selected: Sequence[DownloadSnapshot], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        first = selected[0].record
        self.ids = [s.id for s in selected]
        what = first.display_name if len(selected) == 1 else f"{len(selected)} downloads"
        self.setWindowTitle(f"Speed and connections of {what}")
        limit = first.rate_limit
        self.speed_limit = QLineEdit("" if limit is None else format_rate(limit).split("/")[0])
        self.speed_limit.setPlaceholderText("unlimited (or e.g. 500K, 2M)")
        self.speed_limit.setAccessibleName("Speed limit")
        self.connections = QSpinBox()
        self.connections.setRange(1, MAX_CONNECTIONS)
        self.connections.setValue(first.connections)
        self.connections.setAccessibleName("Connections")
        self.problem = QLabel()
        self.buttons = ok_cancel(self)
        form = QFormLayout(self)
        form.addRow("Speed limit", self.speed_limit)
        form.addRow("Connections", self.connections)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.speed_limit.textChanged.connect(self._on_speed_limit_text_changed)

    def _on_speed_limit_text_changed(self) -> None:
        show_check(self.buttons, self.problem, self.rate, "Speed limit: ")

    def rate(self) -> int | None:
        text = self.speed_limit.text().strip()
        return parse_rate(text) if text else None
