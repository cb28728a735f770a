"""Render the app icon's PNG sizes from resources/icons/rangeload.svg (run after editing it).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py``. Writes
``resources/icons/hicolor/NxN/apps/<app id>.png``, the layout desktops install from.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gui_app import APP_ID  # noqa: E402

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "rangeload.svg"))
    if not renderer.isValid():
        raise SystemExit("the SVG icon could not be read")
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        target.mkdir(parents=True, exist_ok=True)
        image.save(str(target / f"{APP_ID}.png"))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
