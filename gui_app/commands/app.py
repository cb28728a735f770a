"""``rangeload`` with no command, ``rangeload URL...`` and ``rangeload demo``: the desktop app.

Placeholder until the desktop app lands (issue 4); it says so instead of failing obscurely.
"""

from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace) -> int:
    print(
        "rangeload: the desktop app is not built yet; use 'rangeload get' or 'serve'",
        file=sys.stderr,
    )
    return 2


def run_demo(args: argparse.Namespace) -> int:
    return run_app(args)
