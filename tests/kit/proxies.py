"""Real proxies from Debian for the tests: tinyproxy (HTTP) and microsocks (SOCKS5), each
optionally demanding a login (user ``user``, password ``SECRET``)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tests.bench.peers import free_port, wait_for_port
from tests.kit.processes import stop_group

__all__ = ["MICROSOCKS", "SECRET", "TINYPROXY", "microsocks", "tinyproxy"]

TINYPROXY = shutil.which("tinyproxy")
MICROSOCKS = shutil.which("microsocks")
SECRET = "pr0xy-s3cret"


@contextlib.contextmanager
def tinyproxy(folder: Path, login: bool = False) -> Iterator[tuple[int, Path]]:
    assert TINYPROXY is not None
    port = free_port()
    log = folder / f"tinyproxy-{port}.log"
    conf = folder / f"tinyproxy-{port}.conf"
    conf.write_text(
        f"Port {port}\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 60\nMaxClients 100\n"
        f'LogFile "{log}"\nLogLevel Info\n' + (f"BasicAuth user {SECRET}\n" if login else "")
    )
    proc = subprocess.Popen(
        [TINYPROXY, "-d", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        yield port, log
    finally:
        stop_group(proc)


@contextlib.contextmanager
def microsocks(login: bool = False) -> Iterator[int]:
    assert MICROSOCKS is not None
    port = free_port()
    auth = ["-u", "user", "-P", SECRET] if login else []
    proc = subprocess.Popen(
        [MICROSOCKS, "-i", "127.0.0.1", "-p", str(port), *auth],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        stop_group(proc)
