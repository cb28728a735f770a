"""The tray icon and notifications: completed and failed downloads, active count and speed.

The tray is given what it needs (a few actions, a summary, the bridge, a way to open a
folder and to show a message) and never reaches into the window; ``tray_for`` wires it to
the main window. Where the desktop has no tray, notifications show as those messages (in
the window's status bar). ``notification_sent`` fires either way (tests and logs use it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from gui_app import APP_NAME
from gui_app.app.settings import Settings
from gui_app.engine import DownloadRecord, DownloadState
from gui_app.ground.units import format_bytes, format_rate
from gui_app.ui.download_model import DownloadModel, Summary
from gui_app.ui.icons import app_icon
from gui_app.ui.main_window import MainWindow

__all__ = ["Tray", "tray_for"]

MESSAGE_MS = 8000


def tray_for(window: MainWindow, *, notifications: bool = True) -> Tray:
    """The tray of the main window: its actions, its list's summary, its messages."""
    tray = Tray(
        window,
        actions=[window.pause_all_action, window.resume_all_action, window.slow_mode_action],
        quit_action=window.quit_action,
        summary=window.model.summary,
        model=window.model,
        open_path=window.open_path,
        show_message=window.statusBar().showMessage,
        notifications=notifications,
    )
    window.tray_available = tray.icon is not None
    window.settings_changed.connect(tray.apply_settings)
    return tray


class Tray(QObject):
    notification_sent = Signal(str, str)  # title, message

    def __init__(
        self,
        window: QWidget,
        *,
        actions: Sequence[QAction],
        quit_action: QAction,
        summary: Callable[[], Summary],
        model: DownloadModel,
        open_path: Callable[[Path], None],
        show_message: Callable[[str, int], None],
        notifications: bool = True,
    ) -> None:
        super().__init__(window)
        self._window = window  # shown and hidden from the tray, nothing more
        self._summary = summary
        self._open_path = open_path
        self._show_message = show_message
        self.notifications = notifications
        self._last_folder: Path | None = None
        self.icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(app_icon(), self)
            self.icon.setContextMenu(self._menu(actions, quit_action))
            self.icon.activated.connect(self._on_icon_activated)
            self.icon.messageClicked.connect(self._on_icon_message_clicked)
            self.icon.show()
        model.download_finished.connect(self._on_model_download_finished)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start()
        self._on_timer_timeout()

    def _menu(self, actions: Sequence[QAction], quit_action: QAction) -> QMenu:
        menu = QMenu(self._window)
        toggle = QAction("Show/Hide", menu)
        toggle.triggered.connect(self._on_toggle_triggered)
        menu.addAction(toggle)
        menu.addSeparator()
        menu.addActions(list(actions))
        menu.addSeparator()
        menu.addAction(quit_action)
        return menu

    def apply_settings(self, settings: Settings) -> None:
        self.notifications = settings.notifications

    def tooltip(self) -> str:
        summary = self._summary()
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
            self._show_message(f"{title}: {message}", MESSAGE_MS)

    # -- slots -------------------------------------------------------------------------

    def _on_model_download_finished(self, record: DownloadRecord) -> None:
        if record.state is DownloadState.FAILED:
            self._say_failed(record)
            return
        self._last_folder = record.dest_dir
        size = format_bytes(record.size or 0)
        self.notify(
            "Download complete", f"{record.display_name} ({size}). Click to open the folder."
        )

    def _say_failed(self, record: DownloadRecord) -> None:
        why = record.error or "unknown error"
        self.notify("Download failed", f"{record.display_name}: {why}", critical=True)

    def _on_icon_message_clicked(self) -> None:
        if self._last_folder is not None:
            self._open_path(self._last_folder)

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
