"""``rangeload engine-host``: the desktop app's engine process (not for people to run)."""

from __future__ import annotations

import argparse

__all__ = ["run_engine_host"]


def run_engine_host(args: argparse.Namespace) -> int:
    from gui_app.app.sites import SiteBook
    from gui_app.engine import run_host

    # The same user's store and keyring: a saved login's password is read here, when a
    # 401 asks for it, and never travels through the app or into a download's row.
    return run_host(args.fd, args.nice, lambda store: SiteBook(store).password_for)
