"""The native messaging host, as the browser runs it: a real ``rangeload native-host``
process fed framed messages on stdin (framing, a message over 1 MB, one over the limit,
bad JSON, a wrong protocol version, a cut stream), and one that starts the app when it is
not running and hands it a download that then completes (SHA-256 equal)."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from gui_app import __version__
from gui_app.browser.native_host import MAX_MESSAGE, PROTOCOL, NativeHost, Received
from gui_app.handover import Delivery, Handed, Offer, decode_offers
from gui_app.server.runner import ServerThread
from tests.kit.clock import FakeClock
from tests.kit.files import make_file, sha256_of
from tests.kit.servers import serving
from tests.kit.waiting import wait_until

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))


def frame(message: object) -> bytes:
    body = json.dumps(message).encode() if not isinstance(message, bytes) else message
    return struct.pack("=I", len(body)) + body


def answers(raw: bytes) -> list[dict[str, object]]:
    found = []
    while raw:
        (length,) = struct.unpack("=I", raw[:4])
        found.append(json.loads(raw[4 : 4 + length]))
        raw = raw[4 + length :]
    return found


def run_host(stdin: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, RANGELOAD_DATA_DIR=str(tmp_path / "data"))
    return subprocess.run(
        [RANGELOAD, "native-host", "chrome-extension://abc/"],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=30,
        check=False,
    )


def test_hello_and_every_bad_message_get_an_answer(tmp_path: Path) -> None:
    hello = {"type": "hello", "version": PROTOCOL}
    big = {"type": "hello", "version": PROTOCOL, "padding": "x" * (2 << 20)}  # over 1 MB
    stream = b"".join(
        [
            frame(hello),
            frame(big),
            frame(b"x" * (MAX_MESSAGE + 1)),  # over the limit: read through, refused
            frame(b"{not json"),
            frame({"type": "hello", "version": PROTOCOL + 1}),
            frame({"type": "dance", "version": PROTOCOL}),
            frame({"type": "download", "version": PROTOCOL, "offers": []}),
            frame(hello),  # still answered after all of that
        ]
    )
    start = time.monotonic()
    result = run_host(stream, tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    got = answers(result.stdout)
    assert len(got) == 8
    assert got[0] == {
        "ok": True,
        "version": PROTOCOL,
        "rangeload": __version__,
        "app_running": False,
    }
    assert got[1]["ok"] is True
    assert "over the" in str(got[2]["error"])
    assert "not JSON" in str(got[3]["error"])
    assert got[4]["mismatch"] is True
    assert f"speaks {PROTOCOL}" in str(got[4]["error"])
    assert "unknown message type" in str(got[5]["error"])
    assert "no downloads" in str(got[6]["error"])
    assert got[7]["ok"] is True
    assert time.monotonic() - start < 10


def test_a_cut_stream_ends_the_host_without_a_traceback(tmp_path: Path) -> None:
    result = run_host(frame({"type": "hello", "version": PROTOCOL})[:-3], tmp_path)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert answers(result.stdout) == []


def test_a_download_goes_to_the_running_app() -> None:
    sent: list[bytes] = []

    def send(places: Sequence[Path], line: bytes) -> Handed:
        sent.append(line)
        return Handed(Delivery.TAKEN)

    host = NativeHost([Path("n")], send=send, start=lambda: pytest.fail("the app runs already"))
    offer = {"url": "https://a.example/f.iso", "cookies": "sid=1", "referrer": "https://a/"}
    answer = host.answer(Received({"type": "download", "version": PROTOCOL, "offers": [offer]}))
    assert answer == {"ok": True, "taken": 1}
    assert decode_offers(sent[0]) == [Offer(**offer)]


def test_the_browser_keeps_the_download_when_the_app_will_not_start() -> None:
    clock = FakeClock()
    host = NativeHost(
        [Path("n")],
        send=lambda *_: Handed(Delivery.NOT_RUNNING),
        start=lambda: None,
        clock=clock,
        sleep=clock.sleep,
    )
    answer = host.answer(
        Received(
            {"type": "download", "version": PROTOCOL, "offers": [{"url": "https://a.example/f"}]}
        )
    )
    assert answer["ok"] is False
    assert "did not start" in str(answer["error"])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[ServerThread, Path]]:
    source = make_file(tmp_path / "served" / "captured.bin", 3 << 20, seed=5)
    with serving(source.parent) as server:
        yield server, source


def _processes_with(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def test_the_app_is_started_when_it_is_not_running(
    tmp_path: Path, served: tuple[ServerThread, Path]
) -> None:
    server, source = served
    home = tmp_path / "home"
    downloads = home / "Downloads"
    downloads.mkdir(parents=True)
    data = tmp_path / "app-data"
    env = dict(
        os.environ,
        HOME=str(home),
        RANGELOAD_DATA_DIR=str(data),
        QT_QPA_PLATFORM="offscreen",
        XDG_DOWNLOAD_DIR=str(downloads),
    )
    message = {
        "type": "download",
        "version": PROTOCOL,
        "offers": [{"url": f"{server.url}/files/captured.bin", "filename": "got.bin"}],
    }
    try:
        started = time.monotonic()
        result = subprocess.run(
            [RANGELOAD, "native-host"],
            input=frame(message),
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        [answer] = answers(result.stdout)
        assert answer == {"ok": True, "taken": 1, "started": True}, result.stderr
        target = downloads / "got.bin"
        wait_until(target.exists, 60, what="the file downloaded by the started app")
        assert sha256_of(target) == sha256_of(source)
        assert time.monotonic() - started < 60
    finally:
        for pid in _processes_with(f"RANGELOAD_DATA_DIR={data}"):
            os.kill(pid, signal.SIGTERM)


def test_the_host_imports_neither_qt_nor_http() -> None:
    probe = (
        "import sys, gui_app.cli, gui_app.commands.browser, gui_app.browser.native_host\n"
        "print(sorted({m.split('.')[0] for m, v in sys.modules.items() if v is not None}"
        " & {'PySide6', 'httpx', 'fastapi', 'uvicorn', 'starlette'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
