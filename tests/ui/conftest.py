"""UI tests run the real engine against the real bundled server, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gui_app.engine.scheduler import DownloadManager
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import manager, server, source

__all__ = ["manager", "server", "source", "window"]


@pytest.fixture
def window(qtbot: QtBot, manager: DownloadManager, tmp_path: Path) -> Iterator[MainWindow]:
    """A shown main window on the test's manager, downloading into ``tmp_path``."""
    main = MainWindow(manager, tmp_path, poll_ms=50)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close()
