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
            print(f"extension, to load unpacked: {setup.extension_folder()}")
            return 0
        if args.action == "pack":
            out = Path(args.out or ".")
            for archive in setup.pack(out):
                print(archive)
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
    from gui_app.browser.native_host import PROTOCOL, last_seen_extension
    from gui_app.ground import paths

    found = setup.status(home)
    for browser, state in found.items():
        print(f"{browser.name}: {state.value}")
    seen = last_seen_extension(paths.data_dir())
    if seen is None:
        print(f"extension: not heard from yet (this Rangeload speaks protocol {PROTOCOL})")
    elif seen.get("protocol") != PROTOCOL:
        print(
            f"extension: MISMATCH: it speaks protocol {seen.get('protocol')!r}, this "
            f"Rangeload {PROTOCOL}; update the older one"
        )
    else:
        print(f"extension: protocol {PROTOCOL}, as this Rangeload")
    return 0 if any(s is setup.Status.INSTALLED for s in found.values()) else 1
