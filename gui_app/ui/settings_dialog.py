"""The Settings dialog: edits a Settings value; the caller applies and saves it."""

from __future__ import annotations

import os
import ssl
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui_app.app.settings import ProxyMode, Settings
from gui_app.app.sites import Site
from gui_app.engine import MAX_CONNECTIONS, InvalidURLError, ProxySettings, proxy_label
from gui_app.ground.units import format_rate, parse_rate
from gui_app.ui.browser_panel import BrowserPanel
from gui_app.ui.categories_panel import CategoriesPanel
from gui_app.ui.folder_field import FolderField
from gui_app.ui.schedule_panel import SchedulePanel
from gui_app.ui.sites_panel import SitesPanel

__all__ = ["SettingsDialog"]


def _system_proxy_text() -> str:
    """What "the system's proxy" means here, in words: the environment's, or none."""
    try:
        found = ProxySettings.from_environment(os.environ)
    except InvalidURLError as error:
        return f"The system's (the environment's is not usable: {error})"
    proxies = sorted({proxy_label(p) for _, p in found.routes if p})
    return f"The system's ({', '.join(proxies) if proxies else 'none set'})"


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        sites: list[Site] | None = None,
        passwords_go: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._given = settings
        self.folder = FolderField(settings.download_dir, "Download folder")
        self.folder_edit = self.folder.edit
        self.max_concurrent = QSpinBox()
        self.max_concurrent.setRange(1, 50)
        self.max_concurrent.setValue(settings.max_concurrent)
        self.max_concurrent.setAccessibleName("Maximum concurrent downloads")
        self.connections = QSpinBox()
        self.connections.setRange(1, MAX_CONNECTIONS)
        self.connections.setValue(settings.connections)
        self.connections.setAccessibleName("Connections per download")
        limit = settings.speed_limit
        self.speed_limit = QLineEdit("" if limit is None else format_rate(limit).split("/")[0])
        self.speed_limit.setPlaceholderText("unlimited (or e.g. 2M for 2 MiB/s)")
        self.speed_limit.setAccessibleName("Global speed limit")
        self.slow_limit = QLineEdit(format_rate(settings.slow_limit).split("/")[0])
        self.slow_limit.setAccessibleName("Slow mode's speed limit")
        self.slow_limit.setPlaceholderText("e.g. 100K")
        self.notifications = QCheckBox("Notify when a download completes or fails")
        self.notifications.setChecked(settings.notifications)
        self.close_to_tray = QCheckBox("Closing the window keeps Rangeload in the tray")
        self.close_to_tray.setChecked(settings.close_to_tray)
        if not QSystemTrayIcon.isSystemTrayAvailable():  # closing then quits, so say why
            self.close_to_tray.setEnabled(False)
            self.close_to_tray.setText(self.close_to_tray.text() + " (this desktop has no tray)")
        self.resume_on_start = QCheckBox(
            "Resume unfinished downloads when Rangeload starts (otherwise they wait, paused)"
        )
        self.resume_on_start.setChecked(settings.resume_on_start)
        self.ask_before_adding = QCheckBox(
            "Ask before adding links that other programs send (otherwise they start at once)"
        )
        self.ask_before_adding.setChecked(settings.ask_before_adding)
        self.watch_clipboard = QCheckBox("Offer to download links copied to the clipboard")
        self.watch_clipboard.setChecked(settings.watch_clipboard)
        self.proxy_mode = QComboBox()
        self.proxy_mode.setAccessibleName("Proxy")
        for mode, text in (
            (ProxyMode.NONE, "No proxy"),
            (ProxyMode.SYSTEM, _system_proxy_text()),
            (ProxyMode.MANUAL, "This proxy:"),
        ):
            self.proxy_mode.addItem(text, mode)
        self.proxy_mode.setCurrentIndex(self.proxy_mode.findData(settings.proxy_mode))
        self.proxy_url = QLineEdit(settings.proxy_url)
        self.proxy_url.setPlaceholderText("http://, https:// or socks5://[user:password@]host:port")
        self.proxy_url.setAccessibleName("Proxy address")
        self.ca_file = QLineEdit("" if settings.ca_file is None else str(settings.ca_file))
        self.ca_file.setPlaceholderText("None: the system's certificates")
        self.ca_file.setAccessibleName("CA certificates file")
        self.ca_file.setToolTip("Trust only the authorities in this PEM file (curl's --cacert)")
        self.problem = QLabel()
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Download folder", self.folder)
        form.addRow("Downloads at once", self.max_concurrent)
        form.addRow("Connections each", self.connections)
        form.addRow("Speed limit", self.speed_limit)
        form.addRow("Slow mode's limit", self.slow_limit)
        form.addRow("Proxy", self.proxy_mode)
        form.addRow("", self.proxy_url)
        form.addRow("CA certificates file", self.ca_file)
        general = QWidget()
        general_layout = QVBoxLayout(general)
        general_layout.addLayout(form)
        for box in (
            self.notifications,
            self.close_to_tray,
            self.resume_on_start,
            self.ask_before_adding,
            self.watch_clipboard,
        ):
            general_layout.addWidget(box)
        general_layout.addStretch(1)
        self.categories_panel = CategoriesPanel(settings.categories, settings.sort_into_folders)
        self.schedule_panel = SchedulePanel(settings.schedule)
        self.schedule_panel.changed.connect(self._on_speed_limit_text_changed)
        self.sites_panel = SitesPanel(sites or [], passwords_go)
        self.browsers = BrowserPanel()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings pages")
        self.tabs.addTab(general, "&General")
        self.tabs.addTab(self.categories_panel, "&Categories")
        self.tabs.addTab(self.schedule_panel, "Sc&hedule")
        if sites is not None:  # the window passes its site book's list
            self.tabs.addTab(self.sites_panel, "S&ites")
        self.tabs.addTab(self.browsers, "&Browsers")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.speed_limit.textChanged.connect(self._on_speed_limit_text_changed)
        self.folder_edit.textChanged.connect(self._on_speed_limit_text_changed)
        self.proxy_url.textChanged.connect(self._on_speed_limit_text_changed)
        self.ca_file.textChanged.connect(self._on_speed_limit_text_changed)
        self.slow_limit.textChanged.connect(self._on_speed_limit_text_changed)
        self.proxy_mode.currentIndexChanged.connect(self._on_speed_limit_text_changed)
        self._on_speed_limit_text_changed()

    def _on_speed_limit_text_changed(self) -> None:
        self.proxy_url.setEnabled(self.proxy_mode.currentData() is ProxyMode.MANUAL)
        problem = self._problem()
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def _problem(self) -> str | None:
        text = self.speed_limit.text().strip()
        if text:
            try:
                parse_rate(text)
            except ValueError as error:
                return f"Speed limit: {error}"
        try:
            parse_rate(self.slow_limit.text().strip())
        except ValueError as error:
            return f"Slow mode's limit: {error}"
        if not self.folder.path().is_dir():
            return "Download folder: no such folder"
        try:
            self.schedule_panel.schedule()
        except ValueError as error:
            return f"Schedule: {error}"
        ca_problem = _ca_file_problem(self._ca_path())
        if ca_problem:
            return f"CA certificates file: {ca_problem}"
        if self.proxy_mode.currentData() is ProxyMode.MANUAL:
            try:
                ProxySettings.manual(self.proxy_url.text(), "Proxy")
            except InvalidURLError as error:
                return str(error)
        return None

    def settings(self) -> Settings:
        text = self.speed_limit.text().strip()
        return replace(
            self._given,  # what this dialog does not show (slow mode) is kept
            download_dir=self.folder.path(),
            max_concurrent=self.max_concurrent.value(),
            connections=self.connections.value(),
            speed_limit=parse_rate(text) if text else None,
            notifications=self.notifications.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
            resume_on_start=self.resume_on_start.isChecked(),
            ask_before_adding=self.ask_before_adding.isChecked(),
            watch_clipboard=self.watch_clipboard.isChecked(),
            slow_limit=parse_rate(self.slow_limit.text().strip()),
            proxy_mode=self.proxy_mode.currentData(),
            proxy_url=self.proxy_url.text().strip(),
            categories=tuple(self.categories_panel.categories),
            schedule=self.schedule_panel.schedule(),
            sort_into_folders=self.categories_panel.sort_into_folders.isChecked(),
            ca_file=self._ca_path(),
        )

    def _ca_path(self) -> Path | None:
        text = self.ca_file.text().strip()
        return Path(text).expanduser() if text else None


def _ca_file_problem(path: Path | None) -> str | None:
    """Why ``path`` cannot be the CA certificates file, in words; None if it can."""
    if path is None:
        return None
    if not path.is_file():
        return "no such file"
    try:
        ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError):
        return "not a PEM file of certificates"
    return None
