"""The app<->engine channel carries the typed messages of ``gui_app.engine.process.messages``
both ways. Anything else (an old tuple, another class, a frame that does not unpickle) is
logged and refused, and the side that got it goes on serving: never a crash, never an
engine "ended unexpectedly"."""

from __future__ import annotations

import logging
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.engine.api.events import DownloadEvent, DownloadRemoved, EngineLost
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.process.channel import Channel, UnreadableMessageError
from gui_app.engine.process.messages import Call, Event, Hello, Reply, Shutdown
from gui_app.engine.process.remote import RemoteEngine, host_command

ROOT = Path(__file__).resolve().parents[2]
JUNK = struct.pack("!I", 6) + b"\x80\x05junk"  # a whole frame; its pickle is broken


def test_an_unreadable_frame_is_refused_and_the_next_one_reads() -> None:
    mine, theirs = socket.socketpair()
    channel = Channel(mine)
    try:
        theirs.sendall(JUNK)
        Channel(theirs).send(Reply(1, True, "after"))
        with pytest.raises(UnreadableMessageError, match="could not be read"):
            channel.receive()
        assert channel.receive() == Reply(1, True, "after")
    finally:
        channel.close()
        theirs.close()


class Host:
    """A real ``rangeload engine-host`` on a channel the test speaks itself."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [*host_command(), "--fd", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        self.socket = mine
        self.channel = Channel(mine)

    def reply(self, timeout: float = 15) -> Reply:
        """The next reply (events, which a store with no downloads sends none of, skipped)."""
        self.socket.settimeout(timeout)
        while not isinstance(message := self.channel.receive(), Reply):
            assert isinstance(message, Event)
        return message

    def end(self) -> tuple[int, str]:
        """Its exit status and what it logged."""
        try:
            _, logged = self.process.communicate(timeout=15)
        finally:
            self.channel.close()
        return self.process.returncode, logged


@pytest.fixture
def host() -> Iterator[Host]:
    started = Host()
    yield started
    if started.process.poll() is None:
        started.process.kill()
        started.end()


def test_the_host_refuses_what_is_not_a_message_and_keeps_serving(host: Host) -> None:
    host.channel.send(Hello(EngineOptions(max_concurrent=1)))
    host.channel.send((1, "snapshot", (), {}))  # the old tuples
    host.channel.send(42)
    host.channel.send(Reply(2, True, None))  # the engine's to send, not the app's
    host.socket.sendall(JUNK)
    host.channel.send(Call(3, "snapshot", (), {}))
    assert host.reply() == Reply(3, True, ())
    host.channel.send(Call(4, "shutdown", (), {}))  # a call by that name stops nothing
    refused = host.reply()
    assert refused.id == 4
    assert not refused.ok
    assert isinstance(refused.value, ValueError)
    assert "no call named 'shutdown'" in str(refused.value)
    host.channel.send(Call(5, "total_speed", (), {}))
    assert host.reply() == Reply(5, True, 0.0)
    host.channel.send(Shutdown(6))
    assert host.reply() == Reply(6, True, None)  # once everything is saved
    code, logged = host.end()
    assert code == 0
    assert logged.count("refused a message from the app") == 4, logged
    for kind in ("tuple", "int", "Reply"):
        assert f"(got {kind})" in logged
    assert "could not be read" in logged
    assert "Traceback" not in logged


def test_the_host_ends_when_the_app_does_not_say_hello(host: Host) -> None:
    host.channel.send(("start", EngineOptions()))  # the old start message
    code, logged = host.end()
    assert code == 2
    assert "the app sent 'tuple' instead of its Hello" in logged


# An engine that says what the real one never would, between real answers.
ODD_ENGINE = """
import socket, struct, sys
from gui_app.engine.process.channel import Channel
from gui_app.engine.api.events import DownloadRemoved
from gui_app.engine.process.messages import Call, Event, Hello, Reply, Shutdown
sock = socket.socket(fileno=int(sys.argv[sys.argv.index("--fd") + 1]))
channel = Channel(sock)
assert isinstance(channel.receive(), Hello)
channel.send(("event", DownloadRemoved(1)))  # the old tuples
channel.send(("reply", 1, True, None))
channel.send(Call(1, "snapshot", (), {}))  # the app's to send
sock.sendall(struct.pack("!I", 6) + b"\\x80\\x05junk")
channel.send(Event(DownloadRemoved(2)))
while True:
    message = channel.receive()
    if isinstance(message, Call):
        channel.send(Reply(message.id, True, 123.0))
    elif isinstance(message, Shutdown):
        channel.send(Reply(message.id, True, None))
        break
"""


def test_the_app_refuses_what_is_not_a_message_and_keeps_going(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # The real engine never sends these: a stand-in that does, run as the engine is.
    monkeypatch.setattr(
        "gui_app.engine.process.remote.host_command", lambda: [sys.executable, "-c", ODD_ENGINE]
    )
    caplog.set_level(logging.ERROR, logger="gui_app.engine.process.remote")
    engine = RemoteEngine()
    events: list[DownloadEvent] = []
    engine.subscribe(events.append)
    try:
        deadline = time.monotonic() + 15
        while not events and time.monotonic() < deadline:
            time.sleep(0.05)
        assert events == [DownloadRemoved(2)]  # the one Event, and nothing of the rest
        assert engine.total_speed() == 123.0  # calls still answered
    finally:
        engine.shutdown()
    assert engine._process.returncode == 0
    refusals = [r.getMessage() for r in caplog.records if "refused a message" in r.getMessage()]
    assert len(refusals) == 4, refusals
    assert sum("(got tuple)" in r for r in refusals) == 2
    assert any("(got Call)" in r for r in refusals)
    assert any("could not be read" in r for r in refusals)
    assert not [e for e in events if isinstance(e, EngineLost)]
