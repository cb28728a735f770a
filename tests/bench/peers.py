"""Reference peers for the benchmarks: nginx on a loopback port, timed client commands, RSS.

Every benchmark compares Rangeload with a well-known tool measured in the same run on the
same machine, because a shared two-core machine is too noisy for absolute numbers.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.kit.waiting import wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RANGELOAD = str(Path(sys.executable).with_name("rangeload"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    def listening() -> bool:
        with socket.create_connection(("127.0.0.1", port), 0.2):
            return True

    wait_until(listening, timeout, what=f"a listener on 127.0.0.1:{port}", ignoring=(OSError,))


def make_file(path: Path, size: int) -> Path:
    """Write ``size`` random bytes (fast: 1 GiB in a few seconds) unless already there."""
    if path.exists() and path.stat().st_size == size:
        return path
    block = os.urandom(1 << 20)
    with path.open("wb") as out:
        remaining = size
        while remaining:
            n = min(remaining, len(block))
            out.write(block[:n])
            remaining -= n
            block = block[1:] + block[:1] if remaining else block  # vary blocks cheaply
    return path


NGINX_CONF = """
{user}
worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    log_format sent '$bytes_sent';
    access_log {access_log};
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    {http_extra}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location /files/ {{
            alias {root}/;
            {location_extra}
        }}
    }}
}}
"""


@dataclass(frozen=True)
class Peer:
    """A running server: its base URL (files under /files/) and process id."""

    url: str
    pid: int
    access_log: Path | None = None  # nginx's: one line per request, the bytes it sent

    def bytes_sent(self) -> int:
        """Bytes the server sent so far, heads included (nginx with ``count_bytes``)."""
        if self.access_log is None:
            raise RuntimeError("this peer does not count what it sends")
        text = self.access_log.read_text() if self.access_log.exists() else ""
        return sum(int(line) for line in text.split())


@contextlib.contextmanager
def nginx(
    root: Path, *, http_extra: str = "", location_extra: str = "", count_bytes: bool = False
) -> Iterator[Peer]:
    """nginx serving ``root`` under /files/ (like ``rangeload serve``), one worker;
    ``count_bytes`` logs what each request sent, for ``Peer.bytes_sent``."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="rl-nginx-") as prefix:
        conf = Path(prefix) / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                # As root, nginx's workers would drop to 'nobody' and not read 0700 temp dirs.
                user="user root;" if os.geteuid() == 0 else "",
                prefix=prefix,
                port=port,
                root=root,
                http_extra=http_extra,
                location_extra=location_extra,
                access_log=f"{prefix}/access.log sent" if count_bytes else "off",
            )
        )
        proc = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", prefix, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # nginx logs to its error.log under the prefix
        )
        try:
            wait_for_port(port)
            worker = _children(proc.pid)
            log = Path(prefix) / "access.log" if count_bytes else None
            yield Peer(f"http://127.0.0.1:{port}", worker[0] if worker else proc.pid, log)
        finally:
            _stop(proc, signal.SIGQUIT)


@contextlib.contextmanager
def rangeload_serve(root: Path, *extra: str, max_files: int | None = None) -> Iterator[Peer]:
    """``rangeload serve ROOT`` as a real subprocess on a free port; ``max_files`` lowers its
    descriptor limit (RLIMIT_NOFILE)."""
    port = free_port()
    proc = subprocess.Popen(
        [RANGELOAD, "serve", str(root), "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if max_files is not None:  # before it listens, so before any client's descriptor
        resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (max_files, max_files))
    try:
        wait_for_port(port)
        yield Peer(f"http://127.0.0.1:{port}", proc.pid)
    finally:
        _stop(proc, signal.SIGINT)


def _stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Ask politely, then insist."""
    proc.send_signal(sig)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _children(pid: int) -> list[int]:
    time.sleep(0.2)
    path = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        return [int(p) for p in path.read_text().split()]
    return []


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


def run_timed(argv: Sequence[str], *, check: bool = True) -> float:
    """Wall-clock seconds of one command."""
    start = time.perf_counter()
    subprocess.run(argv, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def interleaved(runs: int, measures: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Median of ``runs`` rounds, alternating the contenders so drift hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            samples[name].append(measure())
    return {name: statistics.median(values) for name, values in samples.items()}


def report(title: str, rows: list[tuple[str, str, str, str]]) -> str:
    """A Markdown table: measure, Rangeload, reference, ratio (with the target)."""
    lines = [f"### {title}", "", "| measure | Rangeload | reference | ratio |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)
