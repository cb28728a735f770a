"""Benchmark ``rangeload get`` against aria2c, both downloading from nginx in one run.

Run: ``.venv/bin/python tests/bench/bench_engine.py [--quick] [--only NAME...]``. Prints a
Markdown table of ratios (Rangeload / aria2c) for the README:

1. ``small``: 1,000 files of 20 to 100 KB from one list, 3 and 8 at a time: wall time
   (target <= 1.0 x ``aria2c -i LIST -j N``) and CPU time (target <= 2.0 x), with
   ``wget -i LIST`` (one after another on one connection) beside them, and the peak RSS
   of ``rangeload get`` (target < 80 MB);
2. ``tiny``: a 1-byte file, from the command's start to its exit (target <= 2.0 x);
3. ``big``: a 1 GiB file, one connection: wall time (target <= 0.9 x ``aria2c -x1``), and
   the peak RSS of ``rangeload get`` for it with 8 connections (target < 80 MB);
4. ``eight``: a 256 MiB file, nginx ``limit_rate 16m`` per connection, 8 connections
   (target <= 1.0 x ``aria2c -x8 -s8 -k1M``), and the same with the server throttling one
   connection of the eight to a crawl, chosen by connection, not by Range (<= 1.0 x).

Both tools write to the same disk with preallocation off for aria2c's default; every
download is checked by SHA-256 against the source, so a fast wrong answer cannot win.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout, for tests.*

from tests.bench.peers import RANGELOAD, interleaved, make_file, nginx, report, run_timed

MIB = 1 << 20
ARIA2C = shutil.which("aria2c") or "aria2c"
WGET = shutil.which("wget") or "wget"
Row = tuple[str, str, str, str]

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


def timed_with_cpu(
    argv: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one command."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            said = errors.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{argv[0]} exited {proc.returncode}: {said}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def make_small_files(root: Path, count: int) -> dict[str, str]:
    """``count`` files of 20 to 100 KB (the same sizes every run); name -> SHA-256."""
    sizes = random.Random(16).choices(range(20_000, 100_001), k=count)
    sums = {}
    for n, size in enumerate(sizes):
        path = root / f"s{n:05d}.bin"
        if not (path.exists() and path.stat().st_size == size):
            path.write_bytes(random.Random(n).randbytes(size))
        sums[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def fetch_list(
    tool: str, list_file: Path, out_dir: Path, jobs: int, sums: dict[str, str]
) -> tuple[float, float, float]:
    """One tool fetching every URL of ``list_file`` into an empty ``out_dir``; checked."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir()
    env = None
    if tool == "rangeload":
        env = {**os.environ, "RANGELOAD_DATA_DIR": tempfile.mkdtemp(prefix="rl-bench-data-")}
        argv = [RANGELOAD, "get", "-q", "-j", str(jobs), "-d", str(out_dir), "-i", str(list_file)]
    elif tool == "aria2c":
        argv = [ARIA2C, "-q", "-j", str(jobs), "-d", str(out_dir), "-i", str(list_file)]
    else:
        argv = [WGET, "-q", "-P", str(out_dir), "-i", str(list_file)]
    result = timed_with_cpu(argv, env)
    if env is not None:
        shutil.rmtree(env["RANGELOAD_DATA_DIR"])
    for name, digest in sums.items():
        path = out_dir / name
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise SystemExit(f"{tool} wrote {name} wrong or not at all")
    return result


def small_files_rows(root: Path, out_dir: Path, count: int, rounds: int) -> list[Row]:
    folder = root / "small"
    folder.mkdir(exist_ok=True)
    sums = make_small_files(folder, count)
    rows: list[Row] = []
    with nginx(folder) as peer:
        list_file = root / "small.list"
        list_file.write_text("".join(f"{peer.url}/files/{name}\n" for name in sums))
        for jobs in (3, 8):
            runs: dict[str, list[tuple[float, float, float]]] = {}
            for _ in range(rounds):
                for tool in ("aria2c", "rangeload", "wget"):
                    runs.setdefault(tool, []).append(
                        fetch_list(tool, list_file, out_dir, jobs, sums)
                    )
            wall = {t: statistics.median(r[0] for r in v) for t, v in runs.items()}
            cpu = {t: statistics.median(r[1] for r in v) for t, v in runs.items()}
            label = f"{count:,} files of 20-100 KB, {jobs} at a time"
            ratio = wall["rangeload"] / wall["aria2c"]
            wget = f"wget -i, one by one: {wall['wget']:.2f} s"
            row = _row(f"{label}: wall", wall, 1.0)
            rows.append(_with_ratio(row, f"{ratio:.2f} x (target <= 1.0; {wget})"))
            rows.append(_row(f"{label}: CPU", cpu, 2.0))
            rss = max(r[2] for r in runs["rangeload"])
            rows.append((f"{label}: peak RSS", f"{rss:.0f} MiB", "-", "target < 80 MB"))
    return rows


def tiny_file_rows(root: Path, out_dir: Path, rounds: int) -> list[Row]:
    (root / "tiny.bin").write_bytes(b"x")
    digest = sha256(root / "tiny.bin")
    with nginx(root) as peer:
        url = peer.url + "/files/tiny.bin"
        t = interleaved(
            max(5, rounds),
            {
                "aria2c": lambda: aria2c_get(url, out_dir, 1, digest),
                "rangeload": lambda: rangeload_get(url, out_dir, 8, digest),
            },
        )
    return [_row("a 1-byte file, from start to exit", t, 2.0)]


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
    parser.add_argument(
        "--only", nargs="*", choices=("small", "tiny", "big", "eight"), help="run only these parts"
    )
    options = parser.parse_args()
    parts = set(options.only or ("small", "tiny", "big", "eight"))
    big = (256 if options.quick else 1024) * MIB
    mid = (64 if options.quick else 256) * MIB
    rounds = 1 if options.quick else options.rounds
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        root, out_dir = Path(tmp) / "root", Path(tmp) / "out"
        root.mkdir()
        out_dir.mkdir()
        if "small" in parts:
            rows += small_files_rows(root, out_dir, 200 if options.quick else 1000, rounds)
        if "tiny" in parts:
            rows += tiny_file_rows(root, out_dir, rounds)
        if parts & {"big", "eight"}:
            rows += big_file_rows(root, out_dir, big, mid, rounds, parts)
    print(report("rangeload get vs aria2c, both from nginx over loopback", rows))
    return 0


def big_file_rows(
    root: Path, out_dir: Path, big: int, mid: int, rounds: int, parts: set[str]
) -> list[Row]:
    rows: list[Row] = []
    if "big" in parts:
        make_file(root / "big.bin", big)
        big_sum = sha256(root / "big.bin")
        with nginx(root) as peer:
            url = peer.url + "/files/big.bin"
            t = interleaved(
                rounds,
                {
                    "aria2c": lambda: aria2c_get(url, out_dir, 1, big_sum),
                    "rangeload": lambda: rangeload_get(url, out_dir, 1, big_sum),
                },
            )
            rows.append(_row(f"{big // MIB} MiB, one connection", t, 0.9))
            rss = peak_rss_of_get(url, out_dir, 8)
            rows.append(
                (
                    f"{big // MIB} MiB, 8 connections: peak RSS",
                    f"{rss:.0f} MiB",
                    "-",
                    "target < 80 MB",
                )
            )
    if "eight" not in parts:
        return rows
    make_file(root / "mid.bin", mid)
    mid_sum = sha256(root / "mid.bin")
    for label, http_extra in (
        ("8 connections at 16 MiB/s each", THROTTLE_HTTP),
        ("8 connections, one throttled to 32 KiB/s", CRAWL_HTTP),
    ):
        samples: dict[str, list[float]] = {"aria2c": [], "rangeload": []}
        extra: dict[str, list[float]] = {"aria2c": [], "rangeload": []}
        for _ in range(rounds):
            for name, fetch in (("aria2c", aria2c_get), ("rangeload", rangeload_get)):
                # A fresh nginx per run, so connection numbers (and the crawl) line up.
                with nginx(
                    root, http_extra=http_extra, location_extra=RATE_LOCATION, count_bytes=True
                ) as p:
                    samples[name].append(fetch(p.url + "/files/mid.bin", out_dir, 8, mid_sum))
                    time.sleep(0.2)  # nginx logs a request once it has ended
                    extra[name].append((p.bytes_sent() - mid) / MIB)
        t = {name: statistics.median(v) for name, v in samples.items()}
        rows.append(_row(f"{mid // MIB} MiB, {label}", t, 1.0))
        fetched = {k: f"{min(v):.2f}-{max(v):.2f} MiB" for k, v in extra.items()}
        rows.append(
            (
                f"  fetched beyond the file (heads included), {label}",
                fetched["rangeload"],
                fetched["aria2c"],
                "target <= 1 MiB",
            )
        )
    return rows


def _with_ratio(row: Row, ratio: str) -> Row:
    return row[0], row[1], row[2], ratio


def _row(label: str, t: dict[str, float], target: float) -> Row:
    return (
        label,
        f"{t['rangeload']:.2f} s",
        f"{t['aria2c']:.2f} s",
        f"{t['rangeload'] / t['aria2c']:.2f} x (target <= {target})",
    )


if __name__ == "__main__":
    sys.exit(main())
