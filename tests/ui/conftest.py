"""UI tests run the real engine against the real bundled server, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gui_app.engine.api.interface import Engine
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import data_url, manager, managers, server, source

__all__ = ["data_url", "manager", "managers", "server", "shown_window", "source", "store", "window"]


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """The app's side of a store (settings, layout), closed when the test ends."""
    opened = Store(data_dir / "ui.sqlite3")
    yield opened
    opened.close()


@contextmanager
def shown_window(
    qtbot: QtBot, manager: Engine, folder: Path, store: Store | None = None
) -> Iterator[MainWindow]:
    """A shown main window on ``manager``, downloading into ``folder``; closed after."""
    main = MainWindow(manager, folder, poll_ms=50, store=store)
    qtbot.addWidget(main)
    main.show()
    try:
        yield main
    finally:
        main.close()


@pytest.fixture
def window(qtbot: QtBot, manager: DownloadManager, tmp_path: Path) -> Iterator[MainWindow]:
    """A shown main window on the test's manager, downloading into ``tmp_path``."""
    with shown_window(qtbot, manager, tmp_path) as main:
        yield main
