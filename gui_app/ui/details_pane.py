"""The details of the selected download: where it comes from and goes, what identifies
the remote file, whether it can be resumed, each connection, the last error, and its
speed over the last minutes."""

from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui_app.engine import DownloadId, DownloadSnapshot, DownloadState, proxy_choice_label
from gui_app.ground.units import format_bytes, format_rate
from gui_app.ground.urls import SECRET_HEADERS, redact_url
from gui_app.ui.speed_graph import SpeedGraph, SpeedHistory

__all__ = ["DetailsPane"]


def _resumable(snapshot: DownloadSnapshot) -> str:
    match snapshot.record.resumable:
        case True:
            return "Yes: pausing keeps everything downloaded so far"
        case False:
            return "No: the server does not support it; pausing restarts from the beginning"
        case _:
            return "Not known yet"


def _sent_headers(headers: tuple[tuple[str, str], ...]) -> str:
    """The request headers a download carries: the values of secret ones never shown."""
    if not headers:
        return "nothing extra"
    return ", ".join(
        f"{name} (hidden)" if name.lower() in SECRET_HEADERS else f"{name}: {value}"
        for name, value in headers
    )


class DetailsPane(QWidget):
    retry_requested = Signal(int)  # DownloadId
    change_address_requested = Signal(int)  # DownloadId

    def __init__(self, parent: QWidget | None = None, speeds: SpeedHistory | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Download details")
        self._speeds = speeds or SpeedHistory()
        self.graph = SpeedGraph(lambda: self._speeds.series(self._shown or 0), time.monotonic, self)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry = QPushButton("Retry")
        self.retry.setAccessibleName("Retry the failed download")
        self.retry.clicked.connect(self._on_retry_clicked)
        self.change_address = QPushButton("Change address…")
        self.change_address.setAccessibleName("Give the download a new address")
        self.change_address.clicked.connect(self._on_change_address_clicked)
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        row.addWidget(self.change_address)
        row.addWidget(self.retry)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.graph)
        self._shown: DownloadId | None = None
        self.show_snapshot(None)

    def show_snapshot(self, snapshot: DownloadSnapshot | None) -> None:
        self._shown = None if snapshot is None else snapshot.id
        self.graph.setVisible(snapshot is not None)
        self.graph.update()
        self.retry.setVisible(snapshot is not None and snapshot.state is DownloadState.FAILED)
        self.change_address.setVisible(snapshot is not None and snapshot.state.is_stopped)
        if snapshot is None:
            self.text.setText("<i>Select a download to see its details.</i>")
            return
        record = snapshot.record
        rows = [
            ("URL", redact_url(record.url)),
            ("Final URL", redact_url(record.final_url) if record.final_url else "same"),
            ("Saved as", str(record.path or record.dest_dir)),
            (
                "Size",
                "unknown"
                if record.size is None
                else f"{format_bytes(record.size)} ({record.size:,} bytes)",
            ),
            ("ETag", record.validators.etag or "none"),
            ("Last modified", record.validators.last_modified or "none"),
            ("Can resume", _resumable(snapshot)),
            ("Sends", _sent_headers(record.headers)),
            ("Login", f"{record.login.user} (password hidden)" if record.login else "none"),
            ("Proxy", proxy_choice_label(record.proxy)),
        ]
        for number, conn in enumerate(snapshot.connections, 1):
            rows.append(
                (
                    f"Connection {number}",
                    f"bytes {conn.first:,}-{conn.last:,}, at {conn.position:,}, "
                    f"{format_rate(conn.speed)}",
                )
            )
        if record.error:
            rows.append(("Last error", record.error))
        self.text.setText(
            "<table>"
            + "".join(
                f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                for k, v in rows
            )
            + "</table>"
        )

    def _on_change_address_clicked(self) -> None:
        if self._shown is not None:
            self.change_address_requested.emit(self._shown)

    def _on_retry_clicked(self) -> None:
        if self._shown is not None:
            self.retry_requested.emit(self._shown)
