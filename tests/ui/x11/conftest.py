"""Tests that need a real X server with a system tray host (Xvfb and trayer).

They are collected only in the pytest run that ``tests/ui/test_tray_on_x11.py`` starts on
such a server (``QT_QPA_PLATFORM=xcb``); under the offscreen platform there is no tray.
"""

from __future__ import annotations

import os

from tests.ui.conftest import data_url, manager, managers, server, source, window

__all__ = ["data_url", "manager", "managers", "server", "source", "window"]

if os.environ.get("QT_QPA_PLATFORM") != "xcb":
    collect_ignore_glob = ["test_*.py"]
