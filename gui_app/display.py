"""Is there a display to show the window on? Asked before Qt is started, because a Qt
that cannot reach one aborts the process with a page of plugin messages (and the demo
would leave its temporary folder behind). No Qt import here.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
from collections.abc import Mapping

__all__ = ["HEADLESS_PLATFORMS", "display_problem"]

# Qt platforms that need no display server.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"})


def display_problem(environ: Mapping[str, str] = os.environ) -> str | None:
    """None when the window can be shown; else why not, in words."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None  # Windows and macOS always have their own
    platform = environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].split(";", 1)[0]
    if platform in HEADLESS_PLATFORMS:
        return None
    if environ.get("WAYLAND_DISPLAY") and platform in ("", "wayland", "wayland-egl"):
        return None
    display = environ.get("DISPLAY", "")
    if not display:
        return "no display to show the window on (DISPLAY is not set)"
    if not _x_display_answers(display):
        return f"cannot reach the X display {display}"
    return None


def _x_display_answers(display: str) -> bool:
    """Does something listen where ``DISPLAY`` points ("[host]:N[.screen]")?"""
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    if host in ("", "unix") or host.startswith("/"):
        path = host if host.startswith("/") else f"/tmp/.X11-unix/X{number}"
        for address in ("\0" + path, path):  # Linux's abstract socket first, as Xlib
            with (
                contextlib.suppress(OSError),
                socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock,
            ):
                sock.settimeout(2)
                sock.connect(address)
                return True
        return False
    with contextlib.suppress(OSError), socket.create_connection((host, 6000 + int(number)), 2):
        return True
    return False
