"""``rangeload``, ``rangeload URL...`` and ``rangeload demo``: the desktop app.

The app and the CLI share one store. ``demo`` starts the bundled server on a free
loopback port over a temporary folder of generated samples (one throttled, so pausing is
easy to watch) and opens the app with them queued, on a list of its own in that folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from gui_app.display import display_problem
from gui_app.ground import paths

__all__ = ["run_app", "run_demo"]

DEMO_FILES = (("small.bin", 2 << 20), ("medium.bin", 24 << 20), ("large.iso", 96 << 20))


NO_DISPLAY_HINT = (
    "run it in a desktop session, set QT_QPA_PLATFORM=offscreen to run it headless, "
    "or download without a window with `rangeload get URL`"
)


def _no_display() -> bool:
    """Say in one line why there is no window, before Qt would abort the process."""
    problem = display_problem()
    if problem is not None:
        print(f"rangeload: {problem}; {NO_DISPLAY_HINT}", file=sys.stderr)
    return problem is not None


def run_app(args: argparse.Namespace) -> int:
    urls = list(getattr(args, "urls", []) or [])
    if _no_display():
        return 1
    from gui_app.engine import EngineProcess

    engine = EngineProcess()  # its imports run while the window's do
    from gui_app.ui.app import run_window

    return run_window(urls, engine=engine)


def run_demo(args: argparse.Namespace) -> int:
    if _no_display():
        return 1
    from gui_app.server.runner import ServerThread

    with tempfile.TemporaryDirectory(prefix="rangeload-demo-") as folder:
        root = Path(folder) / "served"
        out = Path(folder) / "downloads"
        root.mkdir()
        out.mkdir()
        # A list of its own, gone with the folder: the demo's downloads must not linger in
        # the user's list, pointing at a deleted folder and a server that has stopped.
        os.environ[paths.DATA_DIR_ENV] = str(Path(folder) / "data")
        for name, size in DEMO_FILES:
            with (root / name).open("wb") as handle:
                handle.write(os.urandom(size))
        with ServerThread.serving(root, faults=True) as server:
            print(
                f"demo server on {server.url}/ serving {root}; downloads go to {out}; "
                "your own download list is not touched",
                flush=True,
            )
            urls = [f"{server.url}/files/{name}?rate=1M" for name, _ in DEMO_FILES[:2]]
            urls.append(f"{server.url}/files/{DEMO_FILES[2][0]}?rate=256K")
            from gui_app.ui.app import run_window

            return run_window(urls, out)
