"""``rangeload serve`` as a real process: it prints its URL, serves, and stops on a signal."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.kit.files import make_file, sha256_bytes, sha256_of

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [RANGELOAD, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"on (http://\S+?)/", line)
    if match is None:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"no URL printed: {line!r} {err}")
    return proc, match.group(1)


def stop(proc: subprocess.Popen[str], sig: signal.Signals = signal.SIGINT) -> tuple[int, str]:
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=10)
    return proc.returncode, err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serves_then_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    source = make_file(tmp_path / "file.bin", 300_000)
    proc, url = start(str(tmp_path), "--port", "0", "--limit-rate", "50M", "--faults")
    try:
        response = httpx.get(url + "/files/file.bin", headers={"Range": "bytes=5-"})
        assert response.status_code == 206
        whole = httpx.get(url + "/files/file.bin").content
        assert sha256_bytes(whole) == sha256_of(source)
    finally:
        code, err = stop(proc, sig)
    assert code == 0
    assert "Traceback" not in err


def test_warns_when_exposed_beyond_loopback(tmp_path: Path) -> None:
    proc, _ = start(str(tmp_path), "--host", "0.0.0.0", "--port", "0")
    _, err = stop(proc)
    assert "warning: listening on 0.0.0.0" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/folder"], "not a folder"),
        ([".", "--limit-rate", "fast"], "--limit-rate"),
    ],
)
def test_bad_arguments_say_why(args: list[str], message: str) -> None:
    result = subprocess.run(
        [RANGELOAD, "serve", *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_the_banner_says_where_the_files_are(tmp_path: Path) -> None:
    """A new user reads the banner and knows the address of a file (issue 25, item 7)."""
    make_file(tmp_path / "song.mp3", 1000)
    proc = subprocess.Popen(
        [RANGELOAD, "serve", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline()
        match = re.search(r"on (http://\S+?)/; its files at (\S+)/files/NAME$", line.strip())
        assert match is not None, line
        assert match.group(1) == match.group(2)
        assert httpx.get(f"{match.group(2)}/files/song.mp3").status_code == 200
    finally:
        stop(proc)
