"""Settings > Browsers: whether each browser on this machine can hand downloads to
Rangeload, an Install button (``rangeload browser install``), and where the extension is
for loading unpacked. The files involved are a few small manifests in the user's home."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from gui_app.browser import install as setup

__all__ = ["BrowserPanel"]


class BrowserPanel(QGroupBox):
    def __init__(self, home: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Browsers", parent)
        self._home = home or Path.home()
        self.states = QLabel()
        self.states.setAccessibleName("Browser integration")
        self.states.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.install_button = QPushButton("Install for these browsers")
        self.install_button.setAccessibleName("Install the browser integration")
        self.install_button.clicked.connect(self._on_install_button_clicked)
        self.extension = QLabel()
        self.extension.setWordWrap(True)
        self.extension.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.states)
        layout.addWidget(self.install_button)
        layout.addWidget(self.extension)
        self.refresh()

    def refresh(self) -> None:
        found = setup.status(self._home)
        shown = {b: s for b, s in found.items() if s is not setup.Status.NO_BROWSER}
        self.states.setText("\n".join(f"{b.name}: {s.value}" for b, s in shown.items()))
        missing = [s for s in shown.values() if s is not setup.Status.INSTALLED]
        self.install_button.setEnabled(bool(missing))
        try:
            folder = str(setup.extension_folder())
        except FileNotFoundError:
            folder = "(not found in this installation)"
        self.extension.setText(
            "Then load Rangeload's extension: in Chromium, chrome://extensions, Developer "
            f"mode, Load unpacked; in Firefox, about:debugging, Load Temporary Add-on. "
            f"It is in {folder}"
        )

    def _on_install_button_clicked(self) -> None:
        try:
            setup.install(self._home)
        except OSError as error:
            self.states.setText(f"Could not install: {error}")
            return
        self.refresh()
