"""``rangeload get`` as a process against bad days: a second process on the same download,
a store with a bad row, a head that never ends and Ctrl-C, a rerun that corrects its
options, hostile values, and credentials in verbose logs (review items 3, 10, 12, 13,
18, 19). Every download ends in a SHA-256 comparison."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadState
from gui_app.engine.disk.store import STORE_NAME, Store
from tests.kit.files import sha256_bytes, sha256_of
from tests.kit.hostile import Out, Request, hostile_server, serve_file
from tests.kit.waiting import wait_until

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
DATA = random.Random(3).randbytes(3 << 20)


def rangeload(*args: str, data: Path, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "RANGELOAD_DATA_DIR": str(data)}
    process: subprocess.Popen[str] = subprocess.Popen(
        [RANGELOAD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kw,  # type: ignore[call-overload]
    )
    return process


def finished(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def slow(request: Request, o: Out) -> None:
    """The file at about 320 KiB/s a connection, honouring ranges."""
    serve_file(request, _Paced(o), DATA)


class _Paced(Out):
    def __init__(self, inner: Out) -> None:
        self.__dict__.update(inner.__dict__)

    def body(self, data: bytes) -> None:
        for i in range(0, len(data), 64 * 1024):
            super().body(data[i : i + 64 * 1024])
            if self.closed or self._server.stopping.wait(0.2):
                return


def under_way(out: Path, data_dir: Path) -> bool:
    """A part file in ``out``, and the record that names it in the store."""
    if not list(out.glob("*.part")):
        return False
    store = Store(data_dir / STORE_NAME)
    try:
        return any(record.part_path is not None for record in store.all())
    finally:
        store.close()


def test_a_second_process_on_the_same_download_changes_nothing(data_dir: Path, out: Path) -> None:
    with hostile_server(slow) as server:
        url = f"{server.url}/f.bin"
        first = rangeload("get", "-q", "-d", str(out), url, data=data_dir)
        wait_until(lambda: under_way(out, data_dir), 20, what="a part file and its record")
        code, _, err = finished(rangeload("get", "-q", "-d", str(out), url, data=data_dir))
        assert code == 1
        assert "another Rangeload process" in err
        code, _, err = finished(first)
        assert code == 0, err
        code, stdout, err = finished(rangeload("get", "-d", str(out), url, data=data_dir))
        assert code == 0, err
        assert "already downloaded" in stdout
    assert [p.name for p in out.iterdir()] == ["f.bin"]  # no "f (1).bin" of zeros
    assert sha256_of(out / "f.bin") == sha256_bytes(DATA)
    store = Store(data_dir / STORE_NAME)
    try:
        (record,) = store.all()
        assert record.state is DownloadState.COMPLETED
    finally:
        store.close()


def test_a_bad_row_is_set_aside_and_named(data_dir: Path, out: Path) -> None:
    with hostile_server(lambda r, o: serve_file(r, o, DATA)) as server:
        code, _, err = finished(
            rangeload("get", "-q", "-d", str(out), f"{server.url}/a.bin", data=data_dir)
        )
        assert code == 0, err
    db = sqlite3.connect(data_dir / STORE_NAME)
    db.execute("UPDATE downloads SET done = '[[9, 1]]'")
    db.commit()
    db.close()
    code, stdout, err = finished(rangeload("list", data=data_dir))
    assert code == 0, err
    assert "Traceback" not in err
    assert "download #1 could not be read" in err
    assert "no downloads stored" in stdout


def test_ctrl_c_while_a_head_trickles_pauses_at_once(data_dir: Path, out: Path) -> None:
    def trickle(request: Request, o: Out) -> None:
        o.trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000, every=0.05)

    with hostile_server(trickle) as server:
        process = rangeload("get", "-d", str(out), f"{server.url}/f.bin", data=data_dir)
        wait_until(lambda: server.requests, 20, what="the request")
        time.sleep(0.5)  # on purpose: Ctrl+C comes with the head half trickled
        start = time.monotonic()
        process.send_signal(signal.SIGINT)
        code, _, err = finished(process, timeout=20)
        took = time.monotonic() - start
    assert code == 130, err
    assert took < 5, took
    store = Store(data_dir / STORE_NAME)
    try:
        (record,) = store.all()
        assert record.state is DownloadState.PAUSED
    finally:
        store.close()


def test_a_rerun_with_a_corrected_checksum_and_token_uses_them(data_dir: Path, out: Path) -> None:
    def needs_token(request: Request, o: Out) -> None:
        if request.headers.get("authorization") != "Bearer good":
            o.head(403, {"Content-Length": "0"})
            return
        serve_file(request, o, DATA)

    right = sha256_bytes(DATA)
    with hostile_server(needs_token) as server:
        url = f"{server.url}/f.bin"
        args = ["get", "-q", "-d", str(out), url, "--checksum", "sha256:" + "0" * 64]
        code, _, err = finished(rangeload(*args, "-H", "Authorization: Bearer old", data=data_dir))
        assert code == 1
        assert "403" in err
        args[-1] = f"sha256:{right}"
        code, _, err = finished(rangeload(*args, "-H", "Authorization: Bearer good", data=data_dir))
        assert code == 0, err
    assert sha256_of(out / "f.bin") == right


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--limit", "9" * 400], "rate too large"),
        (["http://xn--/f.bin"], "invalid host name"),
    ],
)
def test_hostile_values_give_a_plain_error(
    data_dir: Path, out: Path, args: list[str], words: str
) -> None:
    argv = ["get", "-d", str(out), *args]
    if not any("://" in a for a in args):
        argv.append("http://127.0.0.1:9/f.bin")
    code, _, err = finished(rangeload(*argv, data=data_dir))
    assert code == 2, err
    assert words in err
    assert "Traceback" not in err


def test_verbose_logs_carry_no_credentials(data_dir: Path, out: Path) -> None:
    with hostile_server(lambda r, o: serve_file(r, o, DATA)) as server:
        url = f"http://user:pa55word@127.0.0.1:{server.port}/f.bin"
        code, _, err = finished(
            rangeload(
                "-vv", "get", "-q", "-d", str(out), url, "-H", "Cookie: id=c00kie", data=data_dir
            )
        )
    assert code == 0, err
    assert "HTTP Request" in err  # httpx's own lines are there, redacted
    assert "pa55word" not in err
    assert "c00kie" not in err
    assert sha256_of(out / "f.bin") == sha256_bytes(DATA)
