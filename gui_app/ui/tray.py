"""The tray icon and notifications: completed and failed downloads, active count and speed.

Where the desktop has no tray, the app works the same without it: notifications then show
in the window's status bar. ``notification_sent`` fires either way (tests and logs use it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from gui_app import APP_NAME
from gui_app.engine.models import DownloadRecord
from gui_app.ui.icons import app_icon
from gui_app.ui.main_window import MainWindow
from gui_app.ui.settings import Settings
from gui_app.units import format_bytes, format_rate

__all__ = ["Tray"]

MESSAGE_MS = 8000


class Tray(QObject):
    notification_sent = Signal(str, str)  # title, message

    def __init__(self, window: MainWindow, *, notifications: bool = True) -> None:
        super().__init__(window)
        self._window = window
        self.notifications = notifications
        self._last_folder: Path | None = None
        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            window.tray_available = True
            self.icon = QSystemTrayIcon(app_icon(), self)
            self.icon.setContextMenu(self._menu())
            self.icon.activated.connect(self._on_icon_activated)
            self.icon.messageClicked.connect(self._on_icon_message_clicked)
            self.icon.show()
        window.bridge.download_completed.connect(self._on_bridge_download_completed)
        window.bridge.download_failed.connect(self._on_bridge_download_failed)
        window.settings_changed.connect(self._on_window_settings_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self._on_timer_timeout()

    def _menu(self) -> QMenu:
        menu = QMenu(self._window)
        toggle = QAction("Show/Hide", menu)
        toggle.triggered.connect(self._on_toggle_triggered)
        menu.addAction(toggle)
        menu.addSeparator()
        menu.addActions([self._window.pause_all_action, self._window.resume_all_action])
        menu.addSeparator()
        menu.addAction(self._window.quit_action)
        return menu

    def tooltip(self) -> str:
        summary = self._window.model.summary()
        if not summary.active:
            return f"{APP_NAME}: idle"
        return f"{APP_NAME}: {summary.active} active, {format_rate(summary.speed)}"

    def notify(self, title: str, message: str, *, critical: bool = False) -> None:
        self.notification_sent.emit(title, message)
        if not self.notifications:
            return
        if self.icon is not None:
            kind = QSystemTrayIcon.MessageIcon
            icon = kind.Critical if critical else kind.Information
            self.icon.showMessage(title, message, icon, MESSAGE_MS)
        else:
            self._window.statusBar().showMessage(f"{title}: {message}", MESSAGE_MS)

    # -- slots -------------------------------------------------------------------------

    def _on_bridge_download_completed(self, record: DownloadRecord) -> None:
        self._last_folder = record.dest_dir
        size = format_bytes(record.size or 0)
        self.notify(
            "Download complete", f"{record.display_name} ({size}). Click to open the folder."
        )

    def _on_bridge_download_failed(self, record: DownloadRecord) -> None:
        self.notify(
            "Download failed", f"{record.display_name}: {record.error or 'unknown error'}",
            critical=True,
        )  # fmt: skip

    def _on_window_settings_changed(self, settings: Settings) -> None:
        self.notifications = settings.notifications

    def _on_icon_message_clicked(self) -> None:
        if self._last_folder is not None:
            self._window.open_path(self._last_folder)

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._on_toggle_triggered()

    def _on_toggle_triggered(self) -> None:
        if self._window.isVisible():
            self._window.hide()
        else:
            self._window.showNormal()
            self._window.raise_()
            self._window.activateWindow()

    def _on_timer_timeout(self) -> None:
        if self.icon is not None:
            self.icon.setToolTip(self.tooltip())
