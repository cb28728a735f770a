"""Move to category: the selected downloads that are not running (queued, paused or
failed) go to another category's folder, their part files with them. The menu lists the
categories as they are when it opens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QMenu, QWidget

from gui_app.app.settings import Settings
from gui_app.engine import OTHER, CategoryFolders, DownloadSnapshot, DownloadState, Engine
from gui_app.ui.commands import CommandRunner

__all__ = ["CategoryMenu"]


class CategoryMenu(QMenu):
    def __init__(
        self,
        engine: Engine,
        runner: CommandRunner,
        settings: Callable[[], Settings],
        selected: Callable[[], Sequence[DownloadSnapshot]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Move to ca&tegory", parent)
        self._engine = engine
        self._runner = runner
        self._settings = settings
        self._selected = selected
        self.aboutToShow.connect(self._on_about_to_show)
        self._on_about_to_show()

    def _on_about_to_show(self) -> None:
        self.clear()
        settings = self._settings()
        folders = CategoryFolders(settings.download_dir, settings.categories)
        movable = any(_movable(s.state) for s in self._selected())
        for name in [*(c.name for c in settings.categories), OTHER]:
            folder = folders.folder_of(name)
            action = self.addAction(name)
            action.setToolTip(str(folder))
            action.setEnabled(movable)
            action.triggered.connect(partial(self.move_selected, folder))

    def move_selected(self, folder: Path) -> None:
        for snapshot in self._selected():
            if _movable(snapshot.state):
                self._runner.run(partial(self._engine.move_to, snapshot.id, folder))


def _movable(state: DownloadState) -> bool:
    """What the engine moves to another folder: a download not running (``move_to``)."""
    return state.is_stopped or state is DownloadState.QUEUED
