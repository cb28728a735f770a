"""The one entry point (``rangeload`` and ``python -m gui_app``): argument parsing and dispatch.

Each subcommand's work lives in ``gui_app.commands.<name>``, imported only when that
subcommand runs, so ``rangeload get`` never loads Qt and ``rangeload --version`` loads
nothing heavy.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from gui_app import __version__
from gui_app.ground import logs

__all__ = ["build_parser", "main"]


def _certificate_flags(command: argparse.ArgumentParser) -> None:
    """wget's and aria2c's certificate flags, for every command that downloads."""
    command.add_argument(
        "--ca-certificate", metavar="FILE", help="trust the CAs in FILE (PEM), not the system's"
    )
    command.add_argument(
        "--no-check-certificate", action="store_true", help="trust any certificate (unsafe)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rangeload",
        description="A download manager that never loses progress. "
        "With no command (or only URLs) it opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"rangeload {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve a folder with full HTTP range support")
    serve.add_argument("directory", nargs="?", default=".", help="folder to serve (default: .)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free)")
    serve.add_argument("--limit-rate", metavar="RATE", help="cap each connection, e.g. 10M")
    serve.add_argument("--faults", action="store_true", help="enable fault-injection parameters")
    serve.add_argument("--show-hidden", action="store_true", help="list and serve dotfiles")
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="close a connection whose request head takes longer (default 60, as nginx)",
    )

    get = commands.add_parser("get", help="download URLs headless on the engine")
    get.add_argument("urls", nargs="*", metavar="URL", help="http:// or https:// addresses")
    get.add_argument("-d", "--dir", default=".", help="destination folder, made if needed (.)")
    get.add_argument("-o", "--output", metavar="NAME", help="file name (one URL only)")
    get.add_argument(
        "-c",
        "--connections",
        type=int,
        default=8,
        metavar="N",
        # The engine's MAX_CONNECTIONS, not imported here: parsing comes before the engine
        # loads (tests/test_foundation.py holds the two together).
        help="connections per download, 1 to 32 (default 8)",
    )
    get.add_argument("--limit", metavar="RATE", help="global speed limit, e.g. 2M")
    get.add_argument("--checksum", metavar="ALGO:HEX", help="expected digest, e.g. sha256:...")
    get.add_argument(
        "-j", "--jobs", type=int, default=3, metavar="N", help="downloads at once (default 3)"
    )
    # Request flags, spelled as wget, curl and aria2c spell them (gui_app.commands.request_flags)
    add = get.add_argument
    add(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'Name: value'",
        dest="headers",
        help="a request header; may be given again (replaces what -e, -A, -b set)",
    )
    add("-i", "--input-file", metavar="FILE", help="read URLs from FILE, one a line (- = stdin)")
    add("-b", "--cookie", dest="cookies", metavar="'NAME=VALUE; ...'", help="cookies to send")
    add("--load-cookies", metavar="FILE", help="a Netscape cookies.txt (curl -c writes one)")
    add("-e", "--referer", metavar="URL", help="the Referer to send")
    add("-A", "--user-agent", metavar="UA", help="the User-Agent to send")
    add(
        "-u",
        "--user",
        metavar="USER[:PASSWORD]",
        help="HTTP login; without :PASSWORD it is asked for on the terminal (a "
        "password given here is blanked from the process list once read)",
    )
    add("--netrc", action="store_true", help="logins from ~/.netrc, by host")
    add("-x", "--proxy", metavar="URL", help="http://, https:// or socks5://[USER:PASS@]HOST:PORT")
    add("--no-proxy", action="store_true", help="ignore http_proxy and the like")
    _certificate_flags(get)
    get.add_argument("-q", "--quiet", action="store_true", help="print only errors")

    commands.add_parser("list", help="show stored downloads and their states")
    resume = commands.add_parser("resume", help="resume stored downloads by id")
    resume.add_argument("ids", nargs="+", type=int, metavar="ID", help="as rangeload list shows")
    _certificate_flags(resume)
    resume.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    refresh = commands.add_parser(
        "refresh", help="give a paused or failed download a new URL, keeping its bytes"
    )
    refresh.add_argument("id", type=int, metavar="ID", help="as rangeload list shows")
    refresh.add_argument("url", metavar="URL", help="the download's new address")
    refresh.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        dest="headers",
        metavar="'Name: value'",
        help="new headers (the old ones otherwise)",
    )
    refresh.add_argument(
        "--restart",
        action="store_true",
        help="if the new URL serves another file, start over from it instead of refusing",
    )
    _certificate_flags(refresh)
    refresh.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    remove = commands.add_parser("remove", help="remove stored downloads by id")
    remove.add_argument("ids", nargs="+", type=int, metavar="ID", help="as rangeload list shows")
    remove.add_argument("--delete-files", action="store_true", help="also delete the files")

    commands.add_parser("demo", help="start the bundled server with samples and open the app")
    browser = commands.add_parser(
        "browser", help="connect browsers to Rangeload (the native messaging host)"
    )
    browser.add_argument(
        "action",
        choices=["install", "uninstall", "status", "pack"],
        help="install or uninstall the host for the browsers, show its status, or pack the "
        "extension's archives",
    )
    browser.add_argument("--out", metavar="DIR", help="pack: where the archives go (default .)")
    browser.add_argument(
        "--browser",
        action="append",
        metavar="NAME",
        help="only this browser (chromium, firefox, chrome, brave, vivaldi, edge, opera); "
        "may be given again",
    )
    # What the browsers start (through the launcher ``browser install`` writes).
    native = commands.add_parser("native-host")
    native.add_argument("browser_args", nargs="*")
    # The app's own engine process (gui_app.engine.process.host); not listed in --help.
    host = commands.add_parser("engine-host")
    host.add_argument("--fd", type=int, required=True)
    host.add_argument("--nice", type=int, default=0)
    commands._choices_actions = [  # argparse keeps no public way to hide one
        a for a in commands._choices_actions if a.dest not in ("engine-host", "native-host")
    ]
    return parser


_COMMAND_MODULES = {
    "serve": "gui_app.commands.serve",
    "get": "gui_app.commands.get",
    "list": "gui_app.commands.get",
    "resume": "gui_app.commands.get",
    "remove": "gui_app.commands.get",
    "refresh": "gui_app.commands.get",
    "demo": "gui_app.commands.app",
    "engine-host": "gui_app.commands.engine_host",
    "browser": "gui_app.commands.browser",
    "native-host": "gui_app.commands.browser",
}


def main(argv: Sequence[str] | None = None) -> int:
    return _run(_parse(argv))


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    # ``rangeload URL...`` (no command) opens the app with those URLs queued.
    if not args_list or "://" in args_list[0]:
        urls, args_list = args_list, []
        args = parser.parse_args(args_list)
        args.command, args.urls = "app", urls
    else:
        args = parser.parse_args(args_list)
    return args


def _run(args: argparse.Namespace) -> int:
    if args.command == "get":  # before the engine's imports: the shortest time shown
        from gui_app.commands.cmdline import blank_in_cmdline, secrets_in

        blank_in_cmdline(secrets_in(args))
    logs.setup(args.verbose)
    module = importlib.import_module(_COMMAND_MODULES.get(args.command, "gui_app.commands.app"))
    run = getattr(module, f"run_{args.command.replace('-', '_')}")
    result: int = run(args)
    return result


# Commands that run downloads in this process and end when they have ended.
_QUICK_EXIT = frozenset({"get", "resume", "refresh"})


def run_program() -> NoReturn:
    """The ``rangeload`` program (and ``python -m gui_app``): ``main``, then the process
    ends. After a command that ran downloads in this process, each download has ended,
    synced and recorded, and the manager has joined its threads; the interpreter's
    teardown (some 60 ms of freeing objects one by one, a fifth of ``rangeload get`` of a
    small file) is then skipped, as a C tool never pays it. If any other thread still
    runs, the exit is the usual one, which waits for it."""
    args = _parse(None)
    code = _run(args)
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    if args.command in _QUICK_EXIT and not any(t.is_alive() and not t.daemon for t in others):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed file
                stream.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)
