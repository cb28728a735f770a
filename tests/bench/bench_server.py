"""Benchmark ``rangeload serve`` against nginx (sendfile on), with curl as the client.

Run: ``.venv/bin/python tests/bench/bench_server.py [--quick]``. Prints a Markdown table of
ratios (Rangeload / nginx) for the README, measured in one run on one machine:

1. one 1 GiB download, wall time (target <= 1.0 x nginx);
2. 32 concurrent clients fetching random 1 MiB ranges for 20 s, aggregate throughput
   (target >= 0.8 x nginx, no errors);
3. 64 concurrent streams of the 1 GiB file, the server's peak RSS (target < 120 MB).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for tests.*

from tests.bench.peers import (
    Peer,
    interleaved,
    make_file,
    nginx,
    peak_rss_mib,
    rangeload_serve,
    report,
    run_timed,
)

GIB = 1 << 30
MIB = 1 << 20
CURL = shutil.which("curl") or "curl"

ServerFactory = Callable[[Path], AbstractContextManager[Peer]]


def one_download(url: str) -> float:
    return run_timed([CURL, "-s", "--fail", "-o", "/dev/null", url])


def random_ranges_load(url: str, size: int, clients: int, seconds: float) -> tuple[float, int]:
    """``clients`` threads, each running curl over batches of random 1 MiB ranges on one
    keep-alive connection. Returns (bytes per second, errors)."""
    totals = [0] * clients
    errors = [0] * clients
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < deadline:
            args = [CURL]
            for n in range(40):
                first = rng.randrange(0, size - MIB)
                if n:
                    args.append("--next")  # resets options: each transfer gets its own
                args += ["-s", "-w", "%{http_code} %{size_download}\\n", "-o", "/dev/null"]
                args += ["-r", f"{first}-{first + MIB - 1}", url]
            out = subprocess.run(args, capture_output=True, text=True, check=False).stdout
            for line in out.splitlines():
                code, got = line.split()
                if code == "206" and int(got) == MIB:
                    totals[index] += MIB
                else:
                    errors[index] += 1

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return sum(totals) / elapsed, sum(errors)


def concurrent_streams_rss(peer: Peer, url: str, streams: int, seconds: float) -> float:
    procs = [
        subprocess.Popen(
            [CURL, "-s", "-o", "/dev/null", "--max-time", str(seconds), url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(streams)
    ]
    for proc in procs:
        proc.wait()
    return peak_rss_mib(peer.pid)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller and shorter, for a smoke run")
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    size = 256 * MIB if options.quick else GIB
    load_seconds = 5.0 if options.quick else 20.0
    rounds = 2 if options.quick else options.rounds

    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        root = Path(tmp)
        make_file(root / "big.bin", size)
        with nginx(root) as ref, rangeload_serve(root) as ours:
            path = "/files/big.bin"
            times = interleaved(
                rounds,
                {
                    "nginx": lambda: one_download(ref.url + path),
                    "rangeload": lambda: one_download(ours.url + path),
                },
            )
        rows = [
            (
                f"one {size // MIB} MiB download, wall time (median of {rounds})",
                f"{times['rangeload']:.2f} s",
                f"{times['nginx']:.2f} s",
                f"{times['rangeload'] / times['nginx']:.2f} x (target <= 1.0)",
            )
        ]

        results: dict[str, tuple[float, int]] = {}
        for name, factory in (("nginx", nginx), ("rangeload", rangeload_serve)):
            with factory(root) as peer:
                results[name] = random_ranges_load(peer.url + path, size, 32, load_seconds)
        ours_rate, ours_errors = results["rangeload"]
        ref_rate, ref_errors = results["nginx"]
        rows.append(
            (
                f"32 clients, random 1 MiB ranges, {load_seconds:.0f} s, throughput",
                f"{ours_rate / MIB:.0f} MiB/s ({ours_errors} errors)",
                f"{ref_rate / MIB:.0f} MiB/s ({ref_errors} errors)",
                f"{ours_rate / ref_rate:.2f} x (target >= 0.8, no errors)",
            )
        )

        with rangeload_serve(root) as ours:
            rss = concurrent_streams_rss(ours, ours.url + path, 64, 10.0)
        rows.append(
            ("64 concurrent streams, server peak RSS", f"{rss:.0f} MiB", "-", "target < 120 MB")
        )
    print(report("rangeload serve vs nginx (sendfile on), curl as client", rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
