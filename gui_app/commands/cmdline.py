"""What the process list shows of a command line: every local user can read
``/proc/PID/cmdline`` for as long as a download runs, so a password given there
(``-u USER:PASSWORD``, a proxy's ``USER:PASS@``) is blanked in the process's own memory
once parsed, as curl does. Linux only; elsewhere, and where the kernel says no, it
changes nothing and says so."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterable
from pathlib import Path

__all__ = ["blank_in_cmdline", "secrets_in"]

log = logging.getLogger(__name__)

# /proc/PID/stat's fields 48 and 49 (arg_start, arg_end; proc(5)), counted from 1; the
# split after "pid (comm)" starts at field 3.
_ARG_START = 48 - 3


def blank_in_cmdline(secrets: Iterable[tuple[str, str]]) -> bool:
    """Overwrite each ``(kept, secret)``'s secret where ``kept + secret`` stands in the
    command line (``("alice:", "pw")`` leaves ``alice:**``). True if the command line no
    longer shows any of them."""
    pairs = [(kept.encode(), secret.encode()) for kept, secret in secrets if secret]
    if not pairs:
        return True
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        start, end = int(fields[_ARG_START]), int(fields[_ARG_START + 1])
        with Path("/proc/self/mem").open("r+b", buffering=0) as memory:
            memory.seek(start)
            area = memory.read(end - start)
            blanked = area
            for kept, secret in pairs:
                blanked = blanked.replace(kept + secret, kept + b"*" * len(secret))
            if blanked != area:
                memory.seek(start)
                memory.write(blanked)
    except (OSError, ValueError, IndexError) as error:
        log.info("the password stays in the process list: %s", error)
        return False
    return True


def secrets_in(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The passwords on ``get``'s command line (``-u``, a proxy's, a URL's own
    ``USER:PASSWORD@``), each with what stands before it."""
    found = []
    user, sep, password = (args.user or "").partition(":")
    if sep:
        found.append((f"{user}:", password))
    for url in [args.proxy or "", *args.urls]:
        rest = url.partition("://")[2] if "://" in url else url  # -x takes a bare host:port
        credentials = rest.partition("/")[0].rpartition("@")[0]
        name, sep, secret = credentials.partition(":")
        if sep:
            found.append((f"{name}:", secret))
    return found
