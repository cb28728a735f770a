"""Save screenshots of the main window (light and dark), the Add dialog and Settings for
the README.

Run: ``.venv/bin/python tests/ui/take_screenshots.py``. Without a display it starts itself
again under Xvfb (``xvfb-run``, from Debian's xvfb), so the shots come from a real X
server with Qt's xcb platform. Downloads in several states come from the real engine and
the bundled server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from gui_app.app.settings import Settings  # noqa: E402
from gui_app.engine.api.models import DownloadRequest  # noqa: E402
from gui_app.server.runner import ServerThread  # noqa: E402
from gui_app.ui.add_dialog import AddDialog  # noqa: E402
from gui_app.ui.app import create_manager  # noqa: E402
from gui_app.ui.main_window import MainWindow  # noqa: E402
from gui_app.ui.settings_dialog import SettingsDialog  # noqa: E402
from tests.kit.files import make_file  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait(app: QApplication, seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def dark_palette() -> QPalette:
    """A dark desktop's palette, as a dark system theme would hand it to Qt."""
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#202326",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#141618",
        QPalette.ColorRole.AlternateBase: "#1c1f22",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2a2e32",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.Highlight: "#3d7cc9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Mid: "#50565c",
        QPalette.ColorRole.Accent: "#3d7cc9",
        QPalette.ColorRole.ToolTipBase: "#2a2e32",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8a9096",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6a7076"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6a7076"))
    return palette


def save(widget: QWidget, name: str) -> None:
    widget.grab().save(str(OUT / name))
    print(f"saved {OUT / name}")


def under_xvfb() -> int:
    """Run this script again on a virtual X screen (a real X server, no monitor)."""
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        print("no display and no xvfb-run: install xvfb, or set QT_QPA_PLATFORM=offscreen")
        return 1
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    command = [xvfb_run, "-a", "-s", "-screen 0 1280x800x24", sys.executable, __file__]
    return subprocess.run(command, env=env, check=False).returncode


def main() -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"):
        return under_xvfb()
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")  # the same look on every machine that makes these
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        os.environ["RANGELOAD_DATA_DIR"] = str(base / "data")
        for name, size in (
            ("ubuntu-24.04-desktop.iso", 64 << 20),
            ("dataset.tar.gz", 24 << 20),
            ("talk-recording.mp4", 12 << 20),
            ("notes.pdf", 2 << 20),
        ):
            make_file(base / "served" / name, size)
        (base / "out").mkdir()
        with ServerThread.serving(base / "served", faults=True) as server:
            manager = create_manager(Settings(base / "out"))  # the app's engine process
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
            time.sleep(0.1)  # on purpose, with the wait: the downloads well under way
            wait(app, 3.0)
            manager.pause(ids[3])
            wait(app, 1.0)
            window.view.selectRow(2)
            wait(app, 0.5)
            save(window, "main-window.png")
            light = app.palette()
            app.setPalette(dark_palette())
            wait(app, 0.6)
            save(window, "main-window-dark.png")
            app.setPalette(light)
            dialog = AddDialog(
                base / "out",
                text="https://example.com/big.iso\nexample.com/no-scheme\n"
                "ftp://old.example.org/file.zip\n",
                parent=window,
            )
            dialog.show()
            wait(app, 0.5)
            save(dialog, "add-dialog.png")
            dialog.close()
            settings = SettingsDialog(window.settings, window)
            settings.show()
            wait(app, 0.5)
            save(settings, "settings.png")
            settings.tabs.setCurrentWidget(settings.categories_panel)
            settings.categories_panel.table.selectRow(2)
            wait(app, 0.3)
            save(settings, "settings-categories.png")
            settings.tabs.setCurrentWidget(settings.schedule_panel)
            settings.schedule_panel.enabled.setChecked(True)
            wait(app, 0.3)
            save(settings, "settings-schedule.png")
            settings.close()
            window.panel.sidebar.choose("Video")
            wait(app, 0.6)
            save(window, "sidebar-category.png")
            window.close()
            manager.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
