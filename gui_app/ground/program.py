"""How to start this Rangeload again as a process (the app's engine, the browser's host,
the app from that host): the bundle's own binary, or this Python with ``-m gui_app``."""

from __future__ import annotations

import sys

__all__ = ["rangeload_command"]


def rangeload_command(*args: str) -> list[str]:
    """The command line of ``rangeload ARGS...`` as this process was started."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle: sys.executable is rangeload
        return [sys.executable, *args]
    return [sys.executable, "-m", "gui_app", *args]
