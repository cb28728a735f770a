"""The main window: the table, details, menus and status bar composed, the Qt overrides
(drops, close), and what the window does when the engine is lost. The work lives in rooms
of its own (``LinkIntake``, ``FolderSharing``, ``action_rules``, ``window_menus``...)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QPoint,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QWidget,
)

from gui_app import APP_NAME
from gui_app.app.settings import Settings
from gui_app.app.sites import SiteBook
from gui_app.engine import DownloadId, DownloadSnapshot, DownloadState, Engine, Store
from gui_app.ground.units import format_rate
from gui_app.handover import Offer
from gui_app.ui.action_rules import action_rules, unresumable
from gui_app.ui.bridge import EngineBridge
from gui_app.ui.category_menu import CategoryMenu
from gui_app.ui.commands import CommandRunner
from gui_app.ui.confirmations import (
    Removal,
    ask_pause_losing,
    ask_removal,
    show_engine_lost,
)
from gui_app.ui.details_pane import DetailsPane
from gui_app.ui.download_model import DownloadModel
from gui_app.ui.download_panel import DownloadPanel
from gui_app.ui.icons import action_icon
from gui_app.ui.link_intake import LinkDrops, LinkIntake
from gui_app.ui.list_actions import ListActions
from gui_app.ui.preferences import Preferences
from gui_app.ui.problems import ProblemDesk
from gui_app.ui.queue_actions import QueueActions
from gui_app.ui.queue_schedule import QueueSchedule
from gui_app.ui.request_edits import RequestEdits
from gui_app.ui.sharing import FolderSharing
from gui_app.ui.speed_graph import SpeedHistory
from gui_app.ui.status_area import StatusArea
from gui_app.ui.when_done import WhenDone
from gui_app.ui.window_layout import layout_settings, restore_layout
from gui_app.ui.window_menus import build_menus, context_menu, enable_actions

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The window a user lives in: the download list over the sidebar and details, its
    actions, menus and toolbar, and the rooms it composes (links in, edits, problems,
    sharing, the schedule). It calls the engine only through its ``CommandRunner``, never
    on the GUI thread, and hears it only through the bridge and the model's snapshots."""

    settings_changed = Signal(object)  # Settings

    def __init__(
        self,
        manager: Engine,
        download_dir: Path,
        parent: QWidget | None = None,
        poll_ms: int = 200,
        store: Store | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.manager = manager
        self.store = store
        self.settings = settings or Settings(download_dir=download_dir)
        self.site_book = SiteBook(store) if store is not None else None
        self.tray_available = False  # set by the app when the desktop has a tray
        self.commands = CommandRunner(self)
        self.commands.command_failed.connect(self._on_commands_command_failed)
        self.bridge = EngineBridge(manager.subscribe, self)
        self.bridge.engine_lost.connect(self._on_bridge_engine_lost)
        self._engine_lost = False
        self.model = DownloadModel(manager, self.bridge, self, interval_ms=poll_ms)
        self.speeds = SpeedHistory()
        self.details = DetailsPane(self, self.speeds)
        self.details.retry_requested.connect(self._on_details_retry_requested)
        self.details.change_address_requested.connect(self._on_details_change_address_requested)
        panel = DownloadPanel(self.model, self.details, lambda: self.settings.categories, self)
        self.panel, self.view = panel, panel.view
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.setCentralWidget(self.panel)

        self.bridge.download_changed.connect(self.panel.note_change)
        self.when_done = WhenDone(self.model.snapshots, lambda: self.quit_action.trigger(), self)
        self.model.rows_refreshed.connect(self.when_done.check)
        self.bridge.download_changed.connect(self.when_done.check)
        self.bridge.download_added.connect(self.when_done.check)
        self.links = LinkIntake(
            manager, self.commands, self.model, lambda: self.settings, self, self.site_book
        )
        self.links.message_posted.connect(self.statusBar().showMessage)
        self.drops = LinkDrops(self.links, self, self.view)
        self.edits = RequestEdits(manager, self.commands, self)
        self.edits.message_posted.connect(self.statusBar().showMessage)
        self.problems = ProblemDesk(manager, self.commands, self.model, self, self.site_book)
        self.problems.change_address_requested.connect(self._on_details_change_address_requested)
        self.sharing = FolderSharing(self.commands, self)
        self.sharing.sharing_started.connect(self._on_sharing_sharing_started)
        self.sharing.sharing_stopped.connect(self._on_sharing_sharing_stopped)
        self.sharing.sharing_failed.connect(self._on_sharing_sharing_failed)
        self._build_actions()
        self._closed = False
        self.schedule = QueueSchedule(manager, self.commands, lambda: self.settings, self)
        self.status_area = StatusArea(
            self.statusBar(),
            self.model,
            self.speeds,
            lambda: self.schedule.describe() if self.settings.schedule else None,
            self.selected_ids,
        )
        self.status_area.refreshed.connect(self.panel.refresh_counts)
        self.status_area.refreshed.connect(self.details.graph.update)
        self.status = self.status_area.status
        self.sharing_label = self.status_area.sharing_label
        self.when_done.logind_failed.connect(self.statusBar().showMessage)
        self.preferences = Preferences(self.commands, self.site_book, lambda: self.settings, self)
        self.preferences.settings_chosen.connect(self.apply_settings)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.rows_refreshed.connect(self._on_model_rows_refreshed)
        self.model.rowsInserted.connect(self._on_model_rows_changed)
        self.model.rowsRemoved.connect(self._on_model_rows_changed)
        self._update_actions()
        self.schedule.check()
        self.status_area.refresh()
        self.resize(1100, 680)  # every default column in view (DownloadView)
        if store is not None:
            restore_layout(self, self.view.horizontalHeader(), store)

    # -- actions -----------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(action_icon(icon))
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.add_action = self._action("&Add…", self.links.ask, QKeySequence("Ctrl+N"), icon="add")
        self.paste_action = self._action("&Paste URLs", self.links.paste, keys.Paste)
        self.resume_action = self._action("&Resume", self._on_resume_triggered, icon="resume")
        self.pause_action = self._action("Pa&use", self._on_pause_triggered, icon="pause")
        self.pause_all_action = self._action(
            "Pause all", partial(self.commands.run, self.manager.pause_all), icon="pause-all"
        )
        self.resume_all_action = self._action(
            "Resume all", partial(self.commands.run, self.manager.resume_all), icon="resume-all"
        )
        self.remove_action = self._action(
            "Re&move…", self._on_remove_triggered, keys.Delete, icon="remove"
        )
        self.list_actions = ListActions(self.manager, self.commands, self.model.snapshots, self)
        self.list_actions.message_posted.connect(self.statusBar().showMessage)
        self.remove_completed_action = self._action(
            "Remove &completed", self.list_actions.remove_completed
        )
        self.search_action = self._action("&Search", self._on_search_triggered, keys.Find)
        self.queue = QueueActions(self.manager, self.commands, self.selected_ids, self)
        self.model.rows_dropped.connect(self.queue.place)
        self.limits_action = self._action(
            "Speed &limit and connections…",
            lambda: self.list_actions.ask_limits(self.selected_snapshots()),
            QKeySequence("Ctrl+L"),
        )
        self.slow_mode_action = self._action(
            "S&low mode", self._on_slow_mode_toggled, QKeySequence("Ctrl+Shift+L")
        )
        self.slow_mode_action.setCheckable(True)
        self.slow_mode_action.setChecked(self.settings.slow_mode)
        self.open_file_action = self._action("&Open file", self._on_open_file_triggered)
        self.change_address_action = self._action(
            "Change &address…", self._on_change_address_triggered
        )
        self.properties_action = self._action(
            "P&roperties…", self._on_properties_triggered, QKeySequence("Alt+Return")
        )
        self.open_folder_action = self._action(
            "Open &folder", self._on_open_folder_triggered, icon="open-folder"
        )
        self.copy_address_action = self._action(
            "&Copy address", self._on_copy_address_triggered, keys.Copy
        )
        self.share_action = self._action(
            "&Share a folder on this machine…", self._on_share_triggered
        )
        self.stop_sharing_action = self._action("S&top sharing", self.sharing.stop)
        self.stop_sharing_action.setEnabled(False)
        self.settings_action = self._action(
            "&Settings…", self._on_settings_triggered, QKeySequence("Ctrl+,"), icon="settings"
        )
        self._quitting = False
        self.quit_action = self._action("&Quit", self._on_quit_triggered, keys.Quit)
        self.category_menu = CategoryMenu(
            self.manager, self.commands, lambda: self.settings, self.selected_snapshots, self
        )
        self.downloads_menu = build_menus(self, self)

    def selected_snapshots(self) -> list[DownloadSnapshot]:
        return self.panel.selected_snapshots()

    def selected_ids(self) -> list[DownloadId]:
        return [s.id for s in self.selected_snapshots()]

    def _selected_snapshot(self) -> DownloadSnapshot | None:
        """The one selected download, or None when none or several are selected."""
        selected = self.selected_snapshots()
        return selected[0] if len(selected) == 1 else None

    def _update_actions(self) -> None:
        enable_actions(self, action_rules(self.selected_snapshots(), engine_lost=self._engine_lost))

    @property
    def download_dir(self) -> Path:
        return self.settings.download_dir

    def apply_settings(self, settings: Settings, *, save: bool = True) -> None:
        """Take new settings at once; save them (off the GUI thread) when asked."""
        self.settings = settings
        self.links.clipboard.enabled = settings.watch_clipboard
        self.commands.run(partial(self.manager.set_max_concurrent, settings.max_concurrent))
        self.schedule.check()  # the queue's hours and the speed limit in force now
        self.slow_mode_action.setChecked(settings.slow_mode)
        self.panel.set_categories([c.name for c in settings.categories])
        self.commands.run(partial(self.manager.set_proxies, settings.proxies(os.environ)))
        self.commands.run(partial(self.manager.set_tls, settings.tls))
        if save and self.store is not None:
            self.commands.run(partial(settings.save, self.store))
        self.settings_changed.emit(settings)

    def receive_urls(self, urls: Sequence[str]) -> None:
        self.receive_offers([Offer(u) for u in urls])

    def receive_offers(self, offers: Sequence[Offer]) -> None:
        """Downloads handed over by another process: take them and come forward."""
        self.links.receive_offers(offers)
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def remove_selected(self, *, delete_files: bool) -> None:
        for download_id in self.selected_ids():
            self.commands.run(partial(self.manager.remove, download_id, delete_file=delete_files))

    # -- slots -------------------------------------------------------------------------

    def _on_commands_command_failed(self, message: str) -> None:
        if not self._engine_lost:  # that has its own message
            self.statusBar().showMessage(message[0].upper() + message[1:], 8000)

    def _on_share_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Share which folder?", str(Path.home()))
        if folder:
            self.sharing.share(Path(folder))

    def _on_sharing_sharing_started(self, address: str) -> None:
        self.stop_sharing_action.setEnabled(True)
        self.status_area.show_sharing(address)

    def _on_sharing_sharing_stopped(self) -> None:
        self.stop_sharing_action.setEnabled(False)
        self.status_area.show_sharing(None)

    def _on_sharing_sharing_failed(self, reason: str) -> None:
        self._on_sharing_sharing_stopped()
        self.statusBar().showMessage(f"Could not share the folder: {reason}", 8000)

    def _on_quit_triggered(self) -> None:
        self._quitting = True
        # Also from the tray or SIGTERM while the window is hidden: closing a hidden
        # window does not end the app by itself.
        if self.close():
            QCoreApplication.quit()

    def _on_settings_triggered(self) -> None:
        self.preferences.open()

    def _on_resume_triggered(self) -> None:
        for download_id in self.selected_ids():
            self.commands.run(partial(self.manager.resume, download_id))

    def _on_pause_triggered(self) -> None:
        lossy = [s for s in unresumable(self.selected_snapshots()) if s.done_bytes > 0]
        if lossy and not ask_pause_losing(self, lossy):
            return
        for download_id in self.selected_ids():
            self.commands.run(partial(self.manager.pause, download_id))

    def _on_remove_triggered(self) -> None:
        count = len(self.selected_ids())
        removal = ask_removal(self, count) if count else None
        if removal is not None:
            self.remove_selected(delete_files=removal is Removal.DELETE_FILES)

    def open_path(self, path: Path) -> None:
        """Open a file or folder with the desktop's program for it; say why when it can't."""
        if not path.exists():
            self.statusBar().showMessage(f"{path} is no longer there: moved or deleted", 8000)
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.statusBar().showMessage(f"No program is set up to open {path}", 8000)

    def _on_slow_mode_toggled(self) -> None:
        on = self.slow_mode_action.isChecked()
        self.apply_settings(replace(self.settings, slow_mode=on))
        limit = format_rate(self.settings.slow_limit)
        said = f"Slow mode: all downloads together at most {limit}" if on else "Slow mode off"
        self.statusBar().showMessage(said, 5000)

    def _on_search_triggered(self) -> None:
        self.panel.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.panel.search.selectAll()

    def _on_open_file_triggered(self) -> None:
        snapshot = self._selected_snapshot()
        if snapshot is not None and snapshot.record.path is not None:
            self.open_path(snapshot.record.path)

    def _on_open_folder_triggered(self) -> None:
        snapshot = self._selected_snapshot()
        if snapshot is not None:
            self.open_path(snapshot.record.dest_dir)

    def _on_copy_address_triggered(self) -> None:
        urls = [s.record.url for s in self.selected_snapshots()]
        if urls:
            QGuiApplication.clipboard().setText("\n".join(urls))
            said = "Copied the address" if len(urls) == 1 else f"Copied {len(urls)} addresses"
            self.statusBar().showMessage(said, 4000)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if self.panel.filter.snapshot_at(index.row()).state is DownloadState.COMPLETED:
            self._on_open_file_triggered()

    def _on_view_context_menu_requested(self, position: QPoint) -> None:
        context_menu(self, self).popup(self.view.viewport().mapToGlobal(position))

    def _on_selection_changed(self, *_: object) -> None:
        self._update_actions()
        self._update_details()

    def _on_model_rows_refreshed(self, rows: list[int]) -> None:
        if self.panel.selected_rows().intersection(rows):
            self._update_actions()
            self._update_details()

    def _update_details(self) -> None:
        self.details.show_snapshot(self._selected_snapshot())

    def _on_bridge_engine_lost(self, reason: str) -> None:
        self._engine_lost = True
        self._update_actions()
        self.statusBar().showMessage(f"Downloads stopped: {reason}")
        show_engine_lost(self, reason)

    def _on_change_address_triggered(self) -> None:
        snapshot = self._selected_snapshot()
        if snapshot is not None:
            self._change_address(snapshot)

    def _on_details_change_address_requested(self, download_id: DownloadId) -> None:
        row = self.model.row_of(download_id)
        if row is not None:
            self._change_address(self.model.snapshot_at(row))

    def _on_properties_triggered(self) -> None:
        snapshot = self._selected_snapshot()
        if snapshot is not None:
            self.edits.edit_properties(snapshot.record)

    def _change_address(self, snapshot: DownloadSnapshot) -> None:
        self.edits.change_address(snapshot)

    def _on_details_retry_requested(self, download_id: int) -> None:
        self.commands.run(partial(self.manager.retry, download_id))

    def _on_model_rows_changed(self, *_: object) -> None:
        self._update_actions()

    # -- Qt overrides ------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802  # Qt's name
        self.drops.enter(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802  # Qt's name
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802  # Qt's name
        self.drops.leave()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802  # Qt's name
        self.drops.drop(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  # Qt's name
        if self.settings.close_to_tray and self.tray_available and not self._quitting:
            self.hide()
            event.ignore()
            return
        if self._closed:  # closed once already (a second close only hides again)
            super().closeEvent(event)
            return
        self._closed = True
        if self.store is not None:
            for key, value in layout_settings(self, self.view.horizontalHeader()).items():
                self.commands.run(partial(self.store.set_setting, key, value))
        self.sharing.stop()
        self.model.stop()
        self.commands.shutdown()
        self.bridge.detach()
        super().closeEvent(event)
