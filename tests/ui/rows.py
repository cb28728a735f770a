"""Waiting on a row of the window's table, as the UI tests do at the end of a download."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.ui.main_window import MainWindow
from tests.kit.files import sha256_of

__all__ = ["assert_row_completes"]


def assert_row_completes(
    qtbot: QtBot, window: MainWindow, source: Path, row: int = 0, timeout: int = 30_000
) -> Path:
    """Wait until ``row`` is Completed; its file must equal ``source`` byte for byte."""
    model = window.model
    qtbot.waitUntil(
        lambda: model.rowCount() > row and model.snapshot_at(row).state is DownloadState.COMPLETED,
        timeout=timeout,
    )
    path = window.model.snapshot_at(row).record.path
    assert path is not None
    assert sha256_of(path) == sha256_of(source)
    return path


def sidebar_texts(window: MainWindow) -> set[str]:
    sidebar = window.panel.sidebar
    texts = set()
    for top in range(sidebar.topLevelItemCount()):
        group = sidebar.topLevelItem(top)
        assert group is not None
        texts |= {child.text(0) for i in range(group.childCount()) if (child := group.child(i))}
    return texts
