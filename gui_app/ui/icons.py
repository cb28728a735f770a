"""The app's icons as QIcons, from the resource files (gui_app.resources finds them).

A missing file gives an empty icon: the text of an action still works without one.
"""

from __future__ import annotations

import contextlib

from PySide6.QtGui import QIcon

from gui_app.resources import resource_path

__all__ = ["action_icon", "app_icon"]


def _icon(*parts: str) -> QIcon:
    with contextlib.suppress(FileNotFoundError):
        return QIcon(str(resource_path(*parts)))
    return QIcon()


def app_icon() -> QIcon:
    return _icon("icons", "rangeload.svg")


def action_icon(name: str) -> QIcon:
    return _icon("icons", "actions", f"{name}.svg")
