"""``rangeload browser install|uninstall|status`` and the hidden ``rangeload native-host``
(what the browsers start; see ``gui_app.browser``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["run_browser", "run_native_host"]


def run_native_host(args: argparse.Namespace) -> int:
    from gui_app.browser.native_host import run

    return run(list(args.browser_args))


def run_browser(args: argparse.Namespace) -> int:
    from gui_app.browser import install as setup

    home = Path.home()
    keys = list(args.browser or []) or None
    try:
        if args.action == "install":
            written = setup.install(home, keys)
            for browser, path in written.items():
                where = path if path is not None else "skipped: not found on this machine"
                print(f"{browser.name}: {where}")
            print(f"host: {setup.launcher_path()}")
            return 0
        if args.action == "uninstall":
            for path in setup.uninstall(home, keys):
                print(f"removed {path}")
            return 0
    except ValueError as error:
        print(f"rangeload browser: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"rangeload browser: {error}", file=sys.stderr)
        return 1
    found = setup.status(home)
    for browser, state in found.items():
        print(f"{browser.name}: {state.value}")
    return 0 if any(s is setup.Status.INSTALLED for s in found.values()) else 1
