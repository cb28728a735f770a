"""The QApplication and its one window: set-up, the shared store and manager, and exit."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from gui_app import APP_ID, APP_NAME, __version__
from gui_app.engine.scheduler import DownloadManager
from gui_app.engine.store import Store
from gui_app.resources import resource_path
from gui_app.ui.main_window import MainWindow
from gui_app.ui.tray import Tray

__all__ = ["run_window"]


def run_window(urls: Sequence[str], download_dir: Path) -> int:
    """Open the window with ``urls`` queued into ``download_dir``; returns the exit code."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    with contextlib.suppress(FileNotFoundError):
        app.setWindowIcon(QIcon(str(resource_path("icons", "rangeload.svg"))))
    store = Store.default()
    manager = DownloadManager(store)
    manager.start(resume_running=True)
    window = MainWindow(manager, download_dir)
    if store.recovered_from is not None:
        window.statusBar().showMessage(
            f"The download list could not be read; it was set aside as {store.recovered_from}"
        )
    Tray(window)  # parented to the window, which keeps it alive
    window.show()
    window.add_urls(urls)
    try:
        return app.exec()
    finally:
        manager.shutdown()
        store.close()
