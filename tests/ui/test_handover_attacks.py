"""The hand-over socket against the parties that can reach it: another local user (who
must neither take the socket's name nor receive a message meant for the app), a web
page through the extension (a message nested too deeply, or too large for the app), and
a caller whose link makes the app ask a question (answered at once, asked afterwards).
Another user is a real process of uid 65534 (``nobody``): the tests run as root."""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from gui_app.browser.native_host import PROTOCOL, NativeHost, Received
from gui_app.handover import (
    MAX_LINE,
    MAX_SOCKET_PATH,
    Delivery,
    Handed,
    HandoverError,
    Offer,
    decode_offers,
    encode_offers,
    hand_over,
    hand_over_any,
    socket_paths,
)
from gui_app.ui.single_instance import SingleInstance
from tests.kit.waiting import wait_until

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
NOBODY = 65534

needs_root = pytest.mark.skipif(os.getuid() != 0, reason="another user needs root to be made")


def frame(message: bytes) -> bytes:
    return struct.pack("=I", len(message)) + message


def nested(depth: int) -> bytes:
    return b'{"type": "download", "version": 1, "offers": ' + b"[" * depth + b"]" * depth + b"}"


# -- where the socket is -----------------------------------------------------------------


def test_the_socket_is_never_in_a_shared_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    places = socket_paths(data, {"XDG_RUNTIME_DIR": str(runtime)})
    assert places[0] == data / "run" / "app.sock"  # the same whatever the environment
    assert places[1].parent == runtime
    assert all(p.parent != Path("/tmp") for p in places)
    runtime.chmod(0o755)  # not private: not used
    assert all(p.parent != runtime for p in socket_paths(data, {"XDG_RUNTIME_DIR": str(runtime)}))
    assert all(p.parent != Path("/tmp") for p in socket_paths(data, {"XDG_RUNTIME_DIR": "/tmp"}))


def test_a_live_apps_socket_is_never_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    """Two apps started at once both hear "not running"; the second must not remove the
    first one's socket (a crashed app's, which refuses connections, it may)."""
    places = socket_paths(tmp_path / "data", {})
    first = SingleInstance(places)
    assert first.listen()
    second = SingleInstance(places[:1])
    assert not second.listen()
    assert second.problem is not None
    assert "already answers" in second.problem
    result: list[Handed] = []
    first.offers_received.connect(lambda offers: None)
    threading.Thread(
        target=lambda: result.append(hand_over(first.path, encode_offers([]))), daemon=True
    ).start()
    qtbot.waitUntil(lambda: bool(result), timeout=5000)
    assert result[0].taken  # the first one still answers at its place


def test_no_place_that_fits_is_said_not_a_crash(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = tmp_path / ("t" * 110)
    long.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long))
    places = socket_paths(tmp_path / ("d" * 120), {})
    assert len(places) == 1
    instance = SingleInstance(places)
    assert not instance.listen()
    assert instance.problem is not None
    assert instance.problem.startswith("links from other programs cannot reach this window")


def test_the_apps_socket_and_folder_are_its_users_alone(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "data" / "run" / "app.sock"
    instance = SingleInstance(path)
    assert instance.listen(), instance.problem
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o077 == 0


@needs_root
def test_another_user_cannot_reach_the_apps_socket(qtbot: QtBot, tmp_path: Path) -> None:
    tmp_path.chmod(0o755)  # the way down to the data dir is open, as a home folder's is
    path = tmp_path / "data" / "run" / "app.sock"
    instance = SingleInstance(path)
    assert instance.listen(), instance.problem
    received: list[object] = []
    instance.offers_received.connect(received.append)
    attempt = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        f"s.connect({str(path)!r})\n"
        "s.sendall(b'[\"https://evil.example/x\"]\\n')\n"
        "print(s.recv(100))\n"
    )
    result = subprocess.run(
        ["/usr/bin/python3", "-c", attempt],
        user=NOBODY,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode != 0
    assert "PermissionError" in result.stderr
    qtbot.wait(200)
    assert received == []


@pytest.fixture
def squatter(tmp_path: Path) -> Iterator[tuple[Path, list[bytes]]]:
    """A listener of uid 65534 at the app's socket path, in a folder this user owns (as if
    it got there first); it answers "ok" and keeps what it was sent."""
    path = tmp_path / "run" / "app.sock"
    path.parent.mkdir(mode=0o700)
    got: list[bytes] = []
    ready = threading.Event()
    child_read, parent_write = os.pipe()

    def listen() -> None:
        pid = os.fork()
        if pid == 0:  # the child: bind as root, become nobody, then listen
            try:
                server = socket.socket(socket.AF_UNIX)
                server.bind(str(path))
                os.setuid(NOBODY)
                server.listen(4)
                os.write(parent_write, b"r")
                while True:
                    conn, _ = server.accept()
                    data = conn.recv(1 << 16)
                    os.write(parent_write, struct.pack("=I", len(data)))
                    conn.sendall(b"ok\n")
                    conn.close()
            finally:
                os._exit(0)
        os.read(child_read, 1)
        ready.set()
        while True:
            chunk = os.read(child_read, 4)
            if len(chunk) < 4:
                return
            got.append(chunk)

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield path, got
    subprocess.run(["pkill", "-u", str(NOBODY), "-f", "python"], check=False)


@needs_root
def test_a_listener_of_another_user_is_sent_nothing(squatter: tuple[Path, list[bytes]]) -> None:
    path, got = squatter
    handed = hand_over(path, encode_offers([Offer("https://a.example/f", cookies="sid=secret")]))
    assert handed.delivery is Delivery.UNSAFE
    assert "another user" in handed.reason
    time.sleep(0.2)  # on purpose: time in which bytes sent would arrive
    assert all(struct.unpack("=I", n)[0] == 0 for n in got)  # it saw a connection, no bytes


def test_a_folder_of_another_user_is_never_used(tmp_path: Path) -> None:
    path = tmp_path / "run" / "app.sock"
    path.parent.mkdir(mode=0o755)  # anyone could have put a socket there
    handed = hand_over(path, encode_offers([Offer("https://a.example/f")]))
    assert handed.delivery is Delivery.UNSAFE
    assert "open to other users" in handed.reason


def app_with_a_link(data: Path, home: Path) -> subprocess.Popen[bytes]:
    """``rangeload URL`` on ``data``, as a user starts it (the link is a closed loopback
    port: nothing is fetched from anywhere)."""
    env = dict(
        os.environ,
        RANGELOAD_DATA_DIR=str(data),
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_DOWNLOAD_DIR=str(home / "dl"),
    )
    env.pop("XDG_RUNTIME_DIR", None)
    return subprocess.Popen(
        [RANGELOAD, "http://127.0.0.1:9/f.bin"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def answered_by_an_app(data: Path, app: subprocess.Popen[bytes]) -> Handed:
    """The first answer of an app of this user's for ``data`` (the one just started, once
    it is up); a place another user holds is passed over, as every caller does."""

    def answer() -> Handed | None:
        assert app.poll() is None, app.communicate()  # it must not have exited
        handed = hand_over_any(socket_paths(data, {}), encode_offers([]))
        if handed.delivery not in (Delivery.NOT_RUNNING, Delivery.UNSAFE):
            return handed  # an app of this user's answered
        return None

    return wait_until(answer, 30, what="an answer from the app", interval=0.2)


@needs_root
def test_a_squatters_ok_neither_takes_the_links_nor_keeps_the_app_from_starting(
    squatter: tuple[Path, list[bytes]], tmp_path: Path
) -> None:
    """Another user's listener at the app's socket path answers "ok" to anything: the app
    sends it nothing, starts anyway, and then answers at that path itself."""
    path, got = squatter
    assert socket_paths(tmp_path, {})[0] == path  # where this data dir's app listens
    app = app_with_a_link(tmp_path, tmp_path / "home")
    try:
        assert answered_by_an_app(tmp_path, app).taken  # the new app, not the squatter
        assert all(struct.unpack("=I", n)[0] == 0 for n in got)  # never a byte to it
    finally:
        app.terminate()
        app.communicate(timeout=30)


@needs_root
def test_another_users_socket_folder_does_not_keep_the_app_from_starting(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    run = data / "run"
    run.mkdir(parents=True, mode=0o700)
    os.chown(run, NOBODY, NOBODY)  # another user's folder where the app's socket goes
    app = app_with_a_link(data, tmp_path / "home")
    try:
        assert answered_by_an_app(data, app).taken  # listening in its private fallback
    finally:
        app.terminate()
        app.communicate(timeout=30)


# -- what a web page can send through the extension ---------------------------------------


def test_a_message_nested_too_deeply_is_refused_with_a_reason() -> None:
    with pytest.raises(HandoverError, match="nested too deeply"):
        decode_offers(nested(200_000))


def test_the_native_host_answers_a_message_nested_too_deeply(tmp_path: Path) -> None:
    env = dict(os.environ, RANGELOAD_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run(
        [RANGELOAD, "native-host", "chrome-extension://abc/"],
        input=frame(nested(200_000)),
        capture_output=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr
    (length,) = struct.unpack("=I", result.stdout[:4])
    answer = json.loads(result.stdout[4 : 4 + length])
    assert answer["ok"] is False
    assert "nested too deeply" in answer["error"]


def test_a_message_too_large_for_the_app_is_refused_without_starting_a_second_one() -> None:
    offer = {"url": "https://a.example/f", "cookies": "a" * (MAX_LINE - 100)}
    sent: list[bytes] = []

    def send(places: Sequence[Path], line: bytes) -> Handed:
        sent.append(line)
        return Handed(Delivery.TAKEN)

    host = NativeHost([Path("n")], send=send, start=lambda: pytest.fail("a second app"))
    answer = host.answer(
        Received({"type": "download", "version": PROTOCOL, "offers": [offer, offer]})
    )
    assert answer["ok"] is False
    assert "too large" in str(answer["error"])
    assert sent == []


def test_a_refusal_is_not_taken_for_an_app_that_is_not_running() -> None:
    host = NativeHost(
        [Path("n")],
        send=lambda *_: Handed(Delivery.REFUSED, "no"),
        start=lambda: pytest.fail("a second app"),
    )
    answer = host.answer(
        Received(
            {"type": "download", "version": PROTOCOL, "offers": [{"url": "https://a.example/f"}]}
        )
    )
    assert answer["ok"] is False
    assert "refused" in str(answer["error"])


def handed_in_a_thread(path: Path, line: bytes) -> tuple[list[Handed], list[float]]:
    result: list[Handed] = []
    took: list[float] = []

    def run() -> None:
        started = time.monotonic()
        result.append(hand_over(path, line))
        took.append(time.monotonic() - started)

    threading.Thread(target=run, daemon=True).start()
    return result, took


def test_the_app_says_too_large_and_not_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "run" / "app.sock"
    instance = SingleInstance(path)
    assert instance.listen()
    result, _ = handed_in_a_thread(path, b"[" + b" " * (MAX_LINE + 10) + b"]\n")
    qtbot.waitUntil(lambda: bool(result), timeout=10_000)
    assert result[0].delivery is Delivery.REFUSED
    assert "too large" in result[0].reason


# -- a question never keeps the caller waiting --------------------------------------------


def test_the_caller_has_its_answer_before_the_app_asks(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "run" / "app.sock"
    instance = SingleInstance(path)
    assert instance.listen()
    asked: list[float] = []
    result: list[Handed] = []
    took: list[float] = []

    def ask(offers: list[Offer]) -> None:  # what link_intake does for a matching name
        box = QMessageBox(QMessageBox.Icon.Question, "Update?", "Update the download?")
        qtbot.waitUntil(lambda: bool(result), timeout=5000)  # the caller has its answer
        asked.append(time.monotonic())
        box.open()
        qtbot.wait(300)
        box.done(0)

    instance.offers_received.connect(ask)
    result, took = handed_in_a_thread(path, encode_offers([Offer("https://a.example/f")]))
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
    assert result[0].delivery is Delivery.TAKEN
    assert took[0] < 1.0
    qtbot.wait(300)
    assert QApplication.instance() is not None  # no crash after the answer
    again, _ = handed_in_a_thread(path, encode_offers([Offer("https://a.example/g")]))
    qtbot.waitUntil(lambda: bool(again), timeout=5000)
    assert again[0].taken  # the server still answers


def test_a_data_dir_too_long_for_a_socket_still_has_one_app(tmp_path: Path) -> None:
    """A socket path holds 107 bytes: a longer data dir listens elsewhere, privately."""
    data = tmp_path / ("d" * 120)
    places = socket_paths(data, {})
    assert places
    assert all(len(os.fsencode(p)) <= MAX_SOCKET_PATH for p in places)
    assert places[0].parent.name == f"rangeload-{os.getuid()}"


def test_a_caller_finds_the_app_whatever_its_xdg_runtime_dir(qtbot: QtBot, tmp_path: Path) -> None:
    """The app started with an XDG_RUNTIME_DIR (the desktop), a caller without one (cron,
    ssh), and the other way round: each finds the app, never starts a second one."""
    data = tmp_path / "data"
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    desktop = socket_paths(data, {"XDG_RUNTIME_DIR": str(runtime)})
    bare = socket_paths(data, {})
    for app_places, caller_places in ((desktop, bare), (bare, desktop)):
        instance = SingleInstance(app_places)
        assert instance.listen()
        result: list[Handed] = []
        threading.Thread(
            target=lambda r, c: r.append(hand_over_any(c, encode_offers([]))),
            args=(result, caller_places),
            daemon=True,
        ).start()
        qtbot.waitUntil(partial(bool, result), timeout=5000)
        assert result[0].taken
        instance.close()
