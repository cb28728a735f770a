"""The QApplication and its one window: set-up, the shared store and manager, and exit."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui_app import APP_ID, APP_NAME, __version__
from gui_app.app.settings import Settings
from gui_app.engine import EngineOptions, EngineProcess, EngineStoppedError, RemoteEngine, Store
from gui_app.ground import paths
from gui_app.handover import Delivery, socket_paths
from gui_app.ui.icons import app_icon
from gui_app.ui.main_window import MainWindow
from gui_app.ui.single_instance import SingleInstance
from gui_app.ui.tray import tray_for

__all__ = ["run_window"]


def run_window(
    urls: Sequence[str],
    download_dir: Path | None = None,
    *,
    engine: EngineProcess | None = None,
    on_shown: Callable[[MainWindow], object] | None = None,
) -> int:
    """Open the window with ``urls`` queued; ``download_dir`` overrides the saved folder
    for this session only (the demo uses it); ``engine``, the engine process started
    early (see ``EngineProcess``); ``on_shown`` is called once the window shows (the
    start-up bench). Returns the exit code."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    places = socket_paths(paths.data_dir())
    handed = SingleInstance.hand_over(places, urls)
    if handed.delivery in (Delivery.TAKEN, Delivery.REFUSED, Delivery.NO_ANSWER):
        if engine is not None:
            engine.close()
        if handed.taken:
            return 0  # the running app took the URLs
        # Never a second app while one answers: it would wait for the first one's engine.
        what = "refused the links" if handed.delivery is Delivery.REFUSED else "did not answer"
        print(f"rangeload: the running Rangeload {what}: {handed.reason}", file=sys.stderr)
        return 1
    instance = SingleInstance(places)
    instance.listen()
    store = Store.default()
    settings = Settings.load(store, paths.downloads_dir())
    if download_dir is not None:
        settings = replace(settings, download_dir=download_dir)
    settings.download_dir.mkdir(parents=True, exist_ok=True)
    manager = create_manager(settings, engine)
    try:
        manager.start(resume_running=settings.resume_on_start)
    except EngineStoppedError as error:
        QMessageBox.critical(None, APP_NAME, f"Rangeload could not start its downloads: {error}.")
        manager.shutdown()
        store.close()
        return 1
    window = MainWindow(manager, settings.download_dir, store=store, settings=settings)
    tray = tray_for(window, notifications=settings.notifications)
    if store.recovered_from is not None:
        window.statusBar().showMessage(
            f"The download list could not be read; it was set aside as {store.recovered_from}"
        )
    instance.offers_received.connect(window.receive_offers)
    if instance.problem is not None:
        window.statusBar().showMessage(instance.problem)
    window.show()
    window.links.add_urls(urls)
    if on_shown is not None:
        on_shown(window)
    # A session ending (logout, shutdown) sends SIGTERM: quit as the Quit action does.
    # Python runs signal handlers only between bytecodes, so a timer lets it look.
    signal.signal(signal.SIGTERM, lambda *_: window.quit_action.trigger())
    heartbeat = QTimer(window)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(300)
    try:
        return app.exec()
    finally:
        tray.deleteLater()
        manager.shutdown()
        store.close()


def create_manager(settings: Settings, process: EngineProcess | None = None) -> RemoteEngine:
    """The app's engine, in a process of its own (``process``, else one started now) at
    a lower CPU priority: downloads at full speed then never hold the GIL the window
    needs (see gui_app.engine.process.host)."""
    options = EngineOptions(
        max_concurrent=settings.max_concurrent,
        global_rate_limit=settings.speed_limit,
        proxies=settings.proxies(os.environ),
        tls=settings.tls,
        ask_before_restart=True,  # a changed file asks the user (gui_app.ui.problems)
    )
    return RemoteEngine(options=options, process=process)
