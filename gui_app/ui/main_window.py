"""The main window: the downloads table, its actions, drag-in and paste, and a status bar.

Engine commands (add, pause, resume, remove) write to the store, so they run on one
background thread, never on the GUI thread; their effects come back as bridge signals and
snapshots.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
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
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QWidget,
)

from gui_app import APP_NAME
from gui_app.engine.errors import InvalidURLError
from gui_app.engine.interface import Engine
from gui_app.engine.models import DownloadId, DownloadRequest, DownloadSnapshot, DownloadState
from gui_app.engine.store import Store
from gui_app.engine.urls import validate_url
from gui_app.server.runner import ServerThread
from gui_app.ui.add_dialog import AddDialog
from gui_app.ui.bridge import EngineBridge
from gui_app.ui.details_pane import DetailsPane
from gui_app.ui.download_model import DownloadModel
from gui_app.ui.download_view import DownloadView
from gui_app.ui.icons import action_icon
from gui_app.ui.links import ClipboardWatcher, urls_from_mime
from gui_app.ui.settings import Settings
from gui_app.ui.settings_dialog import SettingsDialog
from gui_app.units import format_bytes, format_rate

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

GEOMETRY_KEY = "window.geometry"
HEADER_KEY = "window.columns"


class MainWindow(QMainWindow):
    settings_changed = Signal(object)  # Settings
    sharing_changed = Signal(str)  # the bundled server's address, or "" when stopped
    _server_started = Signal(object)  # a ServerThread, carried to the GUI thread
    _command_failed = Signal(str)  # from the command thread: what failed, in words

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
        self.tray_available = False  # set by the Tray when the desktop has one
        self._server: ServerThread | None = None
        self._commands = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rangeload-ui-cmd")
        self.bridge = EngineBridge(manager.subscribe, self)
        self.bridge.engine_lost.connect(self._on_bridge_engine_lost)
        self._engine_lost = False
        self.model = DownloadModel(manager, self.bridge, self, interval_ms=poll_ms)
        self.view = DownloadView(self.model, self)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_view_context_menu_requested)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.details = DetailsPane(self)
        self.details.retry_requested.connect(self._on_details_retry_requested)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.drop_hint = QLabel("Drop links to download them", self)
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setAutoFillBackground(True)
        self.drop_hint.hide()
        self.setAcceptDrops(True)

        self._build_actions()
        self._closed = False
        self._offer: AddDialog | None = None  # the Add dialog open with offered links
        self.clipboard = ClipboardWatcher(self)
        self.clipboard.enabled = self.settings.watch_clipboard
        self.clipboard.links_copied.connect(self._on_clipboard_links_copied)
        self.status = QLabel()
        self.sharing = QLabel()
        self.sharing.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sharing.hide()
        self.statusBar().addPermanentWidget(self.sharing)
        self.statusBar().addPermanentWidget(self.status)
        self.sharing_changed.connect(self._on_sharing_changed)
        self._server_started.connect(self._on_server_started)
        self._command_failed.connect(self._on_command_failed)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(500)
        self._status_timer.timeout.connect(self._on_status_timer_timeout)
        self._status_timer.start()
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.model.rows_refreshed.connect(self._on_model_rows_refreshed)
        self.model.rowsInserted.connect(self._on_model_rows_changed)
        self.model.rowsRemoved.connect(self._on_model_rows_changed)
        self._update_actions()
        self._on_status_timer_timeout()
        self.resize(960, 600)
        self._restore_layout()

    def _restore_layout(self) -> None:
        if self.store is None:
            return
        geometry = self.store.get_setting(GEOMETRY_KEY)
        header = self.store.get_setting(HEADER_KEY)
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        if header:
            self.view.horizontalHeader().restoreState(QByteArray.fromBase64(header.encode()))

    def _layout_settings(self) -> dict[str, str]:
        header = self.view.horizontalHeader().saveState()
        return {
            GEOMETRY_KEY: bytes(self.saveGeometry().toBase64().data()).decode(),
            HEADER_KEY: bytes(header.toBase64().data()).decode(),
        }

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
        self.add_action = self._action(
            "&Add…", self._on_add_triggered, QKeySequence("Ctrl+N"), icon="add"
        )
        self.paste_action = self._action("&Paste URLs", self._on_paste_triggered, keys.Paste)
        self.resume_action = self._action("&Resume", self._on_resume_triggered, icon="resume")
        self.pause_action = self._action("Pa&use", self._on_pause_triggered, icon="pause")
        self.pause_all_action = self._action(
            "Pause all", partial(self._run, self.manager.pause_all), icon="pause-all"
        )
        self.resume_all_action = self._action(
            "Resume all", partial(self._run, self.manager.resume_all), icon="resume-all"
        )
        self.remove_action = self._action(
            "Re&move…", self._on_remove_triggered, keys.Delete, icon="remove"
        )
        self.open_file_action = self._action("&Open file", self._on_open_file_triggered)
        self.open_folder_action = self._action(
            "Open &folder", self._on_open_folder_triggered, icon="open-folder"
        )
        self.share_action = self._action(
            "&Share a folder on this machine…", self._on_share_triggered
        )
        self.stop_sharing_action = self._action("S&top sharing", self.stop_sharing)
        self.stop_sharing_action.setEnabled(False)
        self.settings_action = self._action(
            "&Settings…", self._on_settings_triggered, QKeySequence("Ctrl+,"), icon="settings"
        )
        self._quitting = False
        self.quit_action = self._action("&Quit", self._on_quit_triggered, keys.Quit)
        toolbar = self.addToolBar("Downloads")
        toolbar.setObjectName("downloads-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions(
            [self.add_action, self.resume_action, self.pause_action, self.pause_all_action,
             self.resume_all_action, self.remove_action]
        )  # fmt: skip
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.add_action, self.paste_action])
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        tools_menu = self.menuBar().addMenu("&Tools")
        tools_menu.addActions([self.share_action, self.stop_sharing_action])
        self.downloads_menu = self.menuBar().addMenu("&Downloads")
        self.downloads_menu.addActions(
            [self.resume_action, self.pause_action, self.pause_all_action,
             self.resume_all_action, self.remove_action, self.open_file_action,
             self.open_folder_action]
        )  # fmt: skip

    def _selected_rows(self) -> set[int]:
        return {index.row() for index in self.view.selectionModel().selectedRows()}

    def selected_ids(self) -> list[DownloadId]:
        return [self.model.snapshot_at(row).id for row in sorted(self._selected_rows())]

    def _selected_snapshot(self) -> DownloadSnapshot | None:
        """The one selected download, or None when none or several are selected."""
        rows = self._selected_rows()
        return self.model.snapshot_at(rows.pop()) if len(rows) == 1 else None

    def _selected_states(self) -> list[DownloadState]:
        return [self.model.snapshot_at(row).state for row in self._selected_rows()]

    def _unresumable_selected(self) -> list[DownloadSnapshot]:
        """Selected running downloads whose server cannot resume them: pausing loses them."""
        rows = self._selected_rows()
        snapshots = [self.model.snapshot_at(row) for row in rows]
        return [
            s for s in snapshots if s.state is DownloadState.RUNNING and s.record.resumable is False
        ]

    def _update_actions(self) -> None:
        if self._engine_lost:  # nothing can be asked of an engine that is gone
            for action in (self.add_action, self.paste_action, self.resume_action,
                           self.pause_action, self.pause_all_action, self.resume_all_action,
                           self.remove_action, self.settings_action):  # fmt: skip
                action.setEnabled(False)
            return
        states = self._selected_states()
        self.resume_action.setEnabled(
            any(s in (DownloadState.PAUSED, DownloadState.FAILED) for s in states)
        )
        self.pause_action.setEnabled(
            any(s in (DownloadState.QUEUED, DownloadState.RUNNING) for s in states)
        )
        lossy = self._unresumable_selected()
        self.pause_action.setText("Pa&use (restarts)" if lossy else "Pa&use")
        self.pause_action.setToolTip(
            "Pause: the server cannot resume "
            + ("this download" if len(lossy) == 1 else f"{len(lossy)} of these")
            + ", so it will start again from the beginning"
            if lossy
            else "Pause: everything downloaded so far is kept"
        )
        self.remove_action.setEnabled(bool(states))
        done = [s for s in states if s is DownloadState.COMPLETED]
        self.open_file_action.setEnabled(len(states) == 1 and len(done) == 1)
        self.open_folder_action.setEnabled(len(states) == 1)

    # -- commands (off the GUI thread) -------------------------------------------------

    def _run(self, command: Callable[[], object]) -> None:
        self._commands.submit(self._guarded, command)

    def _guarded(self, command: Callable[[], object]) -> None:
        """On the command thread: a failed command is logged and shown, never lost."""
        try:
            command()
        except Exception as error:
            name = getattr(getattr(command, "func", command), "__name__", "command")
            log.warning("%s failed: %s", name, error)
            self._command_failed.emit(f"{name.replace('_', ' ')} failed: {error}")

    @property
    def download_dir(self) -> Path:
        return self.settings.download_dir

    def apply_settings(self, settings: Settings, *, save: bool = True) -> None:
        """Take new settings at once; save them (off the GUI thread) when asked."""
        self.settings = settings
        self.clipboard.enabled = settings.watch_clipboard
        self._run(partial(self.manager.set_max_concurrent, settings.max_concurrent))
        self._run(partial(self.manager.set_global_rate_limit, settings.speed_limit))
        if save and self.store is not None:
            self._run(partial(settings.save, self.store))
        self.settings_changed.emit(settings)

    def add_urls(self, urls: Sequence[str], *, start_paused: bool = False) -> None:
        """Queue ``urls`` (from a drop, a paste or another program). Links already in the
        list are not added twice without asking: they go to the Add dialog, which says so."""
        listed = self._listed_urls()
        unique = list(dict.fromkeys(urls))
        self.offer_urls([u for u in unique if u in listed])
        for url in (u for u in unique if u not in listed):
            request = DownloadRequest(
                url,
                self.download_dir,
                connections=self.settings.connections,
                start_paused=start_paused,
            )
            self._run(partial(self.manager.add, request))

    def share_folder(self, folder: Path) -> None:
        """Start the bundled server for ``folder`` on a free loopback port (off the GUI
        thread); ``sharing_changed`` then carries its address."""
        self.stop_sharing()

        def start() -> None:
            try:
                server = ServerThread.serving(folder).start()
            except (OSError, RuntimeError, TimeoutError) as error:
                self.sharing_changed.emit(f"error: {error}")
                return
            self._server_started.emit(server)

        self._run(start)

    def _on_command_failed(self, message: str) -> None:
        if not self._engine_lost:  # that has its own message
            self.statusBar().showMessage(message[0].upper() + message[1:], 8000)

    def _on_server_started(self, server: ServerThread) -> None:
        self._server = server  # only the GUI thread touches _server
        self.sharing_changed.emit(server.url)

    def stop_sharing(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            self._run(server.stop)
            self.sharing_changed.emit("")

    def _on_share_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Share which folder?", str(Path.home()))
        if folder:
            self.share_folder(Path(folder))

    def _on_sharing_changed(self, address: str) -> None:
        self.stop_sharing_action.setEnabled(address.startswith("http"))
        if address.startswith("http"):
            self.sharing.setText(f"Sharing at {address}/")
            self.sharing.show()
        elif address:
            self.sharing.hide()
            self.statusBar().showMessage(f"Could not share the folder: {address[7:]}", 8000)
        else:
            self.sharing.hide()

    def receive_urls(self, urls: Sequence[str]) -> None:
        """URLs handed over by another ``rangeload URL``: queue them and come forward."""
        good = []
        for url in urls:
            try:
                good.append(validate_url(url))
            except InvalidURLError as error:
                self.statusBar().showMessage(f"Not added: {error}", 6000)
        if self.settings.ask_before_adding:
            self.offer_urls(good)
        else:
            self.add_urls(good)
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def offer_urls(self, urls: Sequence[str]) -> None:
        """Open the Add dialog (without blocking) with ``urls`` filled in; links offered
        while it is open join it."""
        if not urls:
            return
        text = "\n".join(urls)
        if self._offer is not None:
            self._offer.add_text(text)
            return
        dialog = AddDialog(self.download_dir, self._listed_urls(), text, self,
                           connections=self.settings.connections)  # fmt: skip
        dialog.accepted.connect(partial(self._on_offer_accepted, dialog))
        dialog.finished.connect(self._on_offer_finished)
        self._offer = dialog
        dialog.open()

    def _on_offer_accepted(self, dialog: AddDialog) -> None:
        self.add_requests(dialog.requests())

    def _on_offer_finished(self) -> None:
        if self._offer is not None:
            self._offer.deleteLater()
            self._offer = None

    def _listed_urls(self) -> set[str]:
        return {self.model.snapshot_at(r).record.url for r in range(self.model.rowCount())}

    def _on_clipboard_links_copied(self, urls: list[str]) -> None:
        listed = self._listed_urls()
        self.offer_urls([u for u in urls if u not in listed])

    def add_requests(self, requests: Sequence[DownloadRequest]) -> None:
        for request in requests:
            self._run(partial(self.manager.add, request))

    def remove_selected(self, *, delete_files: bool) -> None:
        for download_id in self.selected_ids():
            self._run(partial(self.manager.remove, download_id, delete_file=delete_files))

    # -- slots -------------------------------------------------------------------------

    def _on_add_triggered(self) -> None:
        dialog = AddDialog(self.download_dir, self._listed_urls(), parent=self,
                           connections=self.settings.connections)  # fmt: skip
        if dialog.exec():
            self.add_requests(dialog.requests())

    def _on_quit_triggered(self) -> None:
        self._quitting = True
        # Also from the tray or SIGTERM while the window is hidden: closing a hidden
        # window does not end the app by itself.
        if self.close():
            QCoreApplication.quit()

    def _on_settings_triggered(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.apply_settings(dialog.settings())

    def _on_paste_triggered(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        urls = urls_from_mime(mime) if mime is not None else []
        if urls:
            self.add_urls(urls)
        else:
            self.statusBar().showMessage("The clipboard holds no http or https link", 4000)

    def _on_resume_triggered(self) -> None:
        for download_id in self.selected_ids():
            self._run(partial(self.manager.resume, download_id))

    def _on_pause_triggered(self) -> None:
        lossy = [s for s in self._unresumable_selected() if s.done_bytes > 0]
        if lossy:
            lost = format_bytes(sum(s.done_bytes for s in lossy))
            answer = QMessageBox.question(
                self,
                "Pause downloads that cannot resume?",
                f"The server cannot resume {lossy[0].record.display_name}"
                + (f" and {len(lossy) - 1} more" if len(lossy) > 1 else "")
                + f". Pausing discards the {lost} downloaded so far; resuming starts again "
                "from the beginning.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        for download_id in self.selected_ids():
            self._run(partial(self.manager.pause, download_id))

    def _on_remove_triggered(self) -> None:
        count = len(self.selected_ids())
        if not count:
            return
        box = QMessageBox(self)
        box.setWindowTitle("Remove downloads")
        box.setText(f"Remove {count} download{'s' if count > 1 else ''} from the list?")
        keep = box.addButton("Remove", QMessageBox.ButtonRole.AcceptRole)
        delete = box.addButton("Remove and delete files", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() in (keep, delete):
            self.remove_selected(delete_files=box.clickedButton() is delete)

    def open_path(self, path: Path) -> None:
        """Open a file or folder with the desktop's program for it; say why when it can't."""
        if not path.exists():
            self.statusBar().showMessage(f"{path} is no longer there: moved or deleted", 8000)
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.statusBar().showMessage(f"No program is set up to open {path}", 8000)

    def _on_open_file_triggered(self) -> None:
        snapshot = self._selected_snapshot()
        if snapshot is not None and snapshot.record.path is not None:
            self.open_path(snapshot.record.path)

    def _on_open_folder_triggered(self) -> None:
        snapshot = self._selected_snapshot()
        if snapshot is not None:
            self.open_path(snapshot.record.dest_dir)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if self.model.snapshot_at(index.row()).state is DownloadState.COMPLETED:
            self._on_open_file_triggered()

    def _on_view_context_menu_requested(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addActions(
            [self.resume_action, self.pause_action, self.remove_action,
             self.open_file_action, self.open_folder_action]
        )  # fmt: skip
        menu.popup(self.view.viewport().mapToGlobal(position))

    def _on_selection_changed(self, *_: object) -> None:
        self._update_actions()
        self._update_details()

    def _on_model_rows_refreshed(self, rows: list[int]) -> None:
        selected = self._selected_rows()
        if selected.intersection(rows):
            self._update_actions()
            self._update_details()

    def _update_details(self) -> None:
        self.details.show_snapshot(self._selected_snapshot())

    def _on_bridge_engine_lost(self, reason: str) -> None:
        self._engine_lost = True
        self._update_actions()
        self.statusBar().showMessage(f"Downloads stopped: {reason}")
        # Not modal: when the session ends, app and engine stop together, and a question
        # waiting for a click must not hold the app's exit.
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Downloads stopped",
            f"{reason[0].upper()}{reason[1:]}. Progress up to the last few seconds is saved; "
            "start Rangeload again to continue.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()

    def _on_details_retry_requested(self, download_id: int) -> None:
        self._run(partial(self.manager.retry, download_id))

    def _on_model_rows_changed(self, *_: object) -> None:
        self._update_actions()

    def _on_status_timer_timeout(self) -> None:
        summary = self.model.summary()
        counts = summary.counts
        self.status.setText(
            f"{format_rate(summary.speed)}  ·  {summary.active} active  ·  "
            f"{counts[DownloadState.QUEUED]} queued  ·  {counts[DownloadState.COMPLETED]} done"
            f"  ·  {counts[DownloadState.FAILED]} failed"
        )

    # -- drag and drop (Qt overrides) ---------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802  # Qt's name
        if urls_from_mime(event.mimeData()):
            event.acceptProposedAction()
            self.drop_hint.setGeometry(self.view.geometry())
            self.drop_hint.raise_()
            self.drop_hint.show()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802  # Qt's name
        event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802  # Qt's name
        self.drop_hint.hide()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802  # Qt's name
        self.drop_hint.hide()
        urls = urls_from_mime(event.mimeData())
        if urls:
            self.add_urls(urls)
            event.acceptProposedAction()

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
            for key, value in self._layout_settings().items():
                self._run(partial(self.store.set_setting, key, value))
        self.stop_sharing()
        self.model.stop()
        self._commands.shutdown(wait=True)
        self.bridge.detach()
        super().closeEvent(event)
