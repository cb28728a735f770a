"""``rangeload engine-host``: the desktop app's engine process (not for people to run)."""

from __future__ import annotations

import argparse

__all__ = ["run_engine_host"]


def run_engine_host(args: argparse.Namespace) -> int:
    from gui_app.engine.host import run_host

    return run_host(args.fd, args.nice)
