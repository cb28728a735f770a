"""``rangeload serve``: run the bundled range server in the foreground until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

import uvicorn

from gui_app.ground.units import parse_rate
from gui_app.server.app import create_app
from gui_app.server.connection import ConnectionLimits
from gui_app.server.runner import bind, is_loopback, make_config, url_for


def run_serve(args: argparse.Namespace) -> int:
    root = Path(args.directory)
    if not root.is_dir():
        print(f"rangeload serve: not a folder: {root}", file=sys.stderr)
        return 2
    try:
        limit = parse_rate(args.limit_rate) if args.limit_rate else None
    except ValueError as error:
        print(f"rangeload serve: --limit-rate: {error}", file=sys.stderr)
        return 2
    if not 0 < args.header_timeout <= 3600:
        print("rangeload serve: --header-timeout must be from 0 to 3600 seconds", file=sys.stderr)
        return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as error:
        print(
            f"rangeload serve: cannot listen on {args.host}:{args.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1
    app = create_app(root, faults=args.faults, show_hidden=args.show_hidden, limit_rate=limit)
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, reachable from other machines; "
            "everything under the folder can be downloaded by anyone who can connect",
            file=sys.stderr,
        )
    notes = []
    if limit:
        notes.append(f"each connection limited to {args.limit_rate}/s")
    if args.faults:
        notes.append("fault injection ON")
    extra = f" ({', '.join(notes)})" if notes else ""
    url = url_for(sock)
    print(f"Serving {root.resolve()} on {url}/{extra}; its files at {url}/files/NAME", flush=True)
    limits = ConnectionLimits(head_timeout=args.header_timeout)
    server = uvicorn.Server(make_config(app, limits))
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it; make that a clean exit.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
