"""Save screenshots of the main window and the Add dialog for the README.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python tests/ui/take_screenshots.py`` (or under
``xvfb-run``). Downloads in several states come from the real engine and bundled server.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gui_app.engine.models import DownloadRequest  # noqa: E402
from gui_app.engine.scheduler import DownloadManager  # noqa: E402
from gui_app.engine.store import Store  # noqa: E402
from gui_app.server.runner import ServerThread  # noqa: E402
from gui_app.ui.add_dialog import AddDialog  # noqa: E402
from gui_app.ui.main_window import MainWindow  # noqa: E402
from gui_app.ui.settings_dialog import SettingsDialog  # noqa: E402
from tests.helpers import make_file  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> int:
    app = QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        os.environ["RANGELOAD_DATA_DIR"] = str(base / "data")
        for name, size in (("ubuntu-24.04-desktop.iso", 64 << 20), ("dataset.tar.gz", 24 << 20),
                           ("talk-recording.mp4", 12 << 20), ("notes.pdf", 2 << 20)):  # fmt: skip
            make_file(base / "served" / name, size)
        (base / "out").mkdir()
        with ServerThread.serving(base / "served", faults=True) as server:
            store = Store(base / "state.sqlite3")
            manager = DownloadManager(store)
            manager.start()
            window = MainWindow(manager, base / "out")
            window.show()
            u = server.url + "/files/"
            ids = [
                manager.add(DownloadRequest(u + "notes.pdf", base / "out")),
                manager.add(DownloadRequest(u + "ubuntu-24.04-desktop.iso?rate=1M", base / "out")),
                manager.add(
                    DownloadRequest(u + "dataset.tar.gz?rate=400K", base / "out", connections=4)
                ),
                manager.add(DownloadRequest(u + "talk-recording.mp4?rate=300K", base / "out")),
                manager.add(DownloadRequest(u + "missing.zip", base / "out")),
            ]
            time.sleep(0.1)
            wait(app, 3.0)
            manager.pause(ids[3])
            wait(app, 1.0)
            window.view.selectRow(2)
            wait(app, 0.5)
            window.grab().save(str(OUT / "main-window.png"))
            dialog = AddDialog(base / "out", text="https://example.com/big.iso\nexample.com/no-scheme\n"
                               "ftp://old.example.org/file.zip\n", parent=window)  # fmt: skip
            dialog.show()
            wait(app, 0.5)
            dialog.grab().save(str(OUT / "add-dialog.png"))
            dialog.close()
            settings = SettingsDialog(window.settings, window)
            settings.show()
            wait(app, 0.5)
            settings.grab().save(str(OUT / "settings.png"))
            settings.close()
            window.close()
            manager.shutdown()
    print(f"saved to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
