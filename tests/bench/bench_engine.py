"""Benchmark ``rangeload get`` against aria2c, both downloading from nginx in one run.

Run: ``.venv/bin/python tests/bench/bench_engine.py [--quick]``. Prints a Markdown table
of ratios (Rangeload / aria2c) for the README:

1. a 1 GiB file, one connection: wall time (target <= 1.1 x ``aria2c -x1``);
2. a 256 MiB file, nginx ``limit_rate 16m`` per connection, 8 connections
   (target <= 1.05 x ``aria2c -x8 -s8 -k1M``);
3. the same with one connection of the eight throttled to a crawl (target <= 1.1 x);
4. peak RSS of ``rangeload get`` for the 1 GiB file with 8 connections (target < 80 MB).

Both tools write to the same disk with preallocation off for aria2c's default; every
download is checked by SHA-256 against the source, so a fast wrong answer cannot win.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for tests.*

from tests.bench.peers import RANGELOAD, interleaved, make_file, nginx, report, run_timed

MIB = 1 << 20
ARIA2C = shutil.which("aria2c") or "aria2c"

# nginx numbers connections from 1 per worker; the readiness probe takes number 1, so the
# contenders' connections start at 2 and number 3 is each tool's second connection.
CRAWL_HTTP = "map $connection $bench_rate { default 16m; 3 32k; }"
THROTTLE_HTTP = "map $connection $bench_rate { default 16m; }"
RATE_LOCATION = "limit_rate $bench_rate;"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


def rangeload_get(url: str, out_dir: Path, connections: int, expected: str) -> float:
    target = out_dir / "out.bin"
    target.unlink(missing_ok=True)
    env_dir = tempfile.mkdtemp(prefix="rl-bench-data-")
    env = {**os.environ, "RANGELOAD_DATA_DIR": env_dir}
    argv = [RANGELOAD, "get", "-q", "-c", str(connections), "-d", str(out_dir), "-o", "out.bin"]
    argv.append(url)
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env)
    elapsed = time.perf_counter() - start
    shutil.rmtree(env_dir)
    _verify(target, expected, "rangeload")
    return elapsed


def aria2c_get(url: str, out_dir: Path, connections: int, expected: str) -> float:
    target = out_dir / "out.bin"
    target.unlink(missing_ok=True)
    argv = [ARIA2C, "-q", f"-x{connections}", f"-s{connections}", "-k1M", "-d", str(out_dir)]
    argv += ["-o", "out.bin", "--allow-overwrite=true", url]
    elapsed = run_timed(argv)
    _verify(target, expected, "aria2c")
    return elapsed


def _verify(path: Path, expected: str, who: str) -> None:
    if sha256(path) != expected:
        raise SystemExit(f"{who} wrote a file whose SHA-256 differs from the source")


def peak_rss_of_get(url: str, out_dir: Path, connections: int) -> float:
    """Peak RSS (MiB) of one ``rangeload get``, via getrusage of a wrapper's only child."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    (out_dir / "out.bin").unlink(missing_ok=True)
    env = {**os.environ, "RANGELOAD_DATA_DIR": tempfile.mkdtemp(prefix="rl-bench-data-")}
    argv = [sys.executable, "-c", code, RANGELOAD, "get", "-q", "-c", str(connections)]
    argv += ["-d", str(out_dir), "-o", "out.bin", url]
    out = subprocess.run(argv, check=True, capture_output=True, text=True, env=env).stdout
    return int(out.split()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller files, fewer rounds")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    big = (256 if options.quick else 1024) * MIB
    mid = (64 if options.quick else 256) * MIB
    rounds = 1 if options.quick else options.rounds
    rows = []
    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        root, out_dir = Path(tmp) / "root", Path(tmp) / "out"
        root.mkdir()
        out_dir.mkdir()
        make_file(root / "big.bin", big)
        make_file(root / "mid.bin", mid)
        big_sum, mid_sum = sha256(root / "big.bin"), sha256(root / "mid.bin")

        with nginx(root) as peer:
            url = peer.url + "/files/big.bin"
            t = interleaved(
                rounds,
                {
                    "aria2c": lambda: aria2c_get(url, out_dir, 1, big_sum),
                    "rangeload": lambda: rangeload_get(url, out_dir, 1, big_sum),
                },
            )
            rows.append(_row(f"{big // MIB} MiB, one connection", t, 1.1))
            rss = peak_rss_of_get(url, out_dir, 8)
            rows.append(
                (
                    f"{big // MIB} MiB, 8 connections: peak RSS",
                    f"{rss:.0f} MiB",
                    "-",
                    "target < 80 MB",
                )
            )

        for label, http_extra, target in (
            ("8 connections at 16 MiB/s each", THROTTLE_HTTP, 1.05),
            ("8 connections, one throttled to 32 KiB/s", CRAWL_HTTP, 1.1),
        ):
            samples: dict[str, list[float]] = {"aria2c": [], "rangeload": []}
            extra: dict[str, list[float]] = {"aria2c": [], "rangeload": []}
            for _ in range(rounds):
                for name, fetch in (("aria2c", aria2c_get), ("rangeload", rangeload_get)):
                    # A fresh nginx per run, so connection numbers (and the crawl) line up.
                    with nginx(root, http_extra=http_extra, location_extra=RATE_LOCATION,
                               count_bytes=True) as p:  # fmt: skip
                        samples[name].append(fetch(p.url + "/files/mid.bin", out_dir, 8, mid_sum))
                        time.sleep(0.2)  # nginx logs a request once it has ended
                        extra[name].append((p.bytes_sent() - mid) / MIB)
            t = {name: sorted(v)[len(v) // 2] for name, v in samples.items()}
            rows.append(_row(f"{mid // MIB} MiB, {label}", t, target))
            fetched = {k: f"{min(v):.2f}-{max(v):.2f} MiB" for k, v in extra.items()}
            rows.append((f"  fetched beyond the file (heads included), {label}",
                         fetched["rangeload"], fetched["aria2c"], "target <= 1 MiB"))  # fmt: skip
    print(report("rangeload get vs aria2c, both from nginx over loopback", rows))
    return 0


def _row(label: str, t: dict[str, float], target: float) -> tuple[str, str, str, str]:
    return (
        label,
        f"{t['rangeload']:.2f} s",
        f"{t['aria2c']:.2f} s",
        f"{t['rangeload'] / t['aria2c']:.2f} x (target <= {target})",
    )


if __name__ == "__main__":
    sys.exit(main())
