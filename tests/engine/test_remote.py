"""The app's engine in its own process (RemoteEngine and ``rangeload engine-host``): calls,
events and errors cross the channel; the process runs at a lower priority; it saves and
ends when the app is killed; the app learns when it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from gui_app.engine.api.events import DownloadAdded, DownloadChanged, DownloadEvent, EngineLost
from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.disk.store import STORE_NAME, Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.engine.process.remote import EngineProcess, EngineStoppedError, RemoteEngine
from gui_app.server.runner import ServerThread
from tests.kit.files import sha256_of
from tests.kit.processes import process_ended
from tests.kit.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def url(server: ServerThread, extra: str = "") -> str:
    return f"{server.url}/files/data.bin?key={uuid.uuid4().hex}{extra}"


def process_nice(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])  # field 19 of proc(5)'s stat


def test_a_download_through_the_engine_process(
    server: ServerThread, source: Path, tmp_path: Path
) -> None:
    engine = RemoteEngine(options=EngineOptions(max_concurrent=2), nice=5)
    events: list[DownloadEvent] = []
    engine.subscribe(events.append)
    try:
        engine.start()
        assert engine.pid != os.getpid()
        if sys.platform.startswith("linux"):
            assert process_nice(engine.pid) >= min(19, os.getpriority(os.PRIO_PROCESS, 0) + 5)
        download_id = engine.add(DownloadRequest(url(server, "&rate=1M"), tmp_path, connections=3))
        wait_until(
            lambda: (s := engine.get(download_id)) is None or s.state is DownloadState.COMPLETED,
            30,
            what=lambda: f"Completed, or removed: {engine.get(download_id)}",
        )
        snapshot = engine.get(download_id)
        assert snapshot is not None
        assert snapshot.state is DownloadState.COMPLETED
        assert snapshot.record.path is not None
        assert sha256_of(snapshot.record.path) == sha256_of(source)
        # typed events cross the channel, in the order the states changed
        kinds = [
            (type(e), e.record.state if isinstance(e, DownloadChanged) else None) for e in events
        ]
        assert (
            kinds.index((DownloadAdded, None))
            < kinds.index((DownloadChanged, DownloadState.RUNNING))
            < kinds.index((DownloadChanged, DownloadState.COMPLETED))
        )
        assert engine.snapshot()[0].id == download_id
        with pytest.raises(KeyError):
            engine.remove(download_id + 1000)  # the engine's own error, raised here
        with pytest.raises(ValueError, match="no call named"):
            engine._call("shutdown_everything")
    finally:
        engine.shutdown()
    assert process_ended(engine.pid)
    assert not [e for e in events if isinstance(e, EngineLost)]  # asked to stop: no alarm


def test_a_dead_engine_is_reported(server: ServerThread, tmp_path: Path) -> None:
    engine = RemoteEngine()
    lost: list[DownloadEvent] = []
    engine.subscribe(lambda event: lost.append(event) if isinstance(event, EngineLost) else None)
    engine.start()
    engine.add(DownloadRequest(url(server, "&rate=256K"), tmp_path))
    os.kill(engine.pid, signal.SIGKILL)
    wait_until(lambda: lost, 10, what="EngineLost")
    assert isinstance(lost[0], EngineLost)
    assert "exit status -9" in lost[0].reason
    with pytest.raises(EngineStoppedError):
        engine.pause_all()
    engine.shutdown()  # still safe to call


def test_sigterm_makes_the_engine_save_and_stop(
    server: ServerThread, tmp_path: Path, data_dir: Path
) -> None:
    engine = RemoteEngine()
    lost: list[DownloadEvent] = []
    engine.subscribe(lambda event: lost.append(event) if isinstance(event, EngineLost) else None)
    engine.start()
    download_id = engine.add(DownloadRequest(url(server, "&rate=128K"), tmp_path, connections=2))
    wait_until(
        lambda: (s := engine.get(download_id)) is not None and s.done_bytes >= (256 << 10),
        10,
        what="256 KiB down",
    )
    os.kill(engine.pid, signal.SIGTERM)  # a session ending: not -9
    wait_until(lambda: lost, 10, what="EngineLost")
    assert isinstance(lost[0], EngineLost)
    assert lost[0].reason == "the download engine stopped"  # exit status 0: it saved
    store = Store(data_dir / STORE_NAME)
    try:
        record = store.get(download_id)
    finally:
        store.close()
    assert record is not None
    assert record.state is DownloadState.QUEUED
    assert record.done_bytes >= (256 << 10)
    engine.shutdown()


def test_one_engine_per_data_dir_a_second_waits_for_the_first() -> None:
    first = RemoteEngine()
    first.start()
    second = RemoteEngine()
    started = threading.Event()

    def start_then_say_so() -> None:
        second.start()
        started.set()

    waiter = threading.Thread(target=start_then_say_so)
    waiter.start()
    try:
        assert not started.wait(1.5)  # the first still holds the data dir (and its .part files)
        first.shutdown()
        assert started.wait(10)
    finally:
        first.shutdown()
        waiter.join(15)
        second.shutdown()


APP_STAND_IN = """
import sys, time
from pathlib import Path
from gui_app.engine.api.models import DownloadRequest
from gui_app.engine.process.remote import RemoteEngine
engine = RemoteEngine()
engine.start()
engine.add(DownloadRequest(sys.argv[1], Path(sys.argv[2]), connections=4))
print(engine.pid, flush=True)
time.sleep(600)
"""


def test_killing_the_app_leaves_the_engine_to_save_and_end(
    server: ServerThread, source: Path, tmp_path: Path, data_dir: Path
) -> None:
    app = subprocess.Popen(
        [sys.executable, "-c", APP_STAND_IN, url(server, "&rate=256K"), str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert app.stdout is not None
    engine_pid = int(app.stdout.readline())
    store = Store(data_dir / STORE_NAME)
    try:
        wait_until(
            lambda: (records := store.all()) and records[0].done_bytes > 0,
            15,
            what="bytes saved",
        )
        time.sleep(0.5)  # on purpose: the engine well into the download when the app dies
        app.kill()  # kill -9: the app gets no say
        app.wait()
        wait_until(lambda: process_ended(engine_pid), 10, what="the engine to end with the app")
        (record,) = store.all()
        assert record.state is DownloadState.QUEUED  # it was running: the next start resumes it
        saved = record.done_bytes
        assert saved > 0
    finally:
        store.close()
        app.stdout.close()
    manager = DownloadManager(Store.default())  # the next start, on the app's store
    manager.start()
    try:
        snapshot = manager.get(record.id)
        assert snapshot is not None
        assert snapshot.done_bytes == saved  # what was saved is what the next run trusts
        assert manager.wait([record.id], timeout=60)
        final = manager.get(record.id)
        assert final is not None
        assert final.state is DownloadState.COMPLETED
        assert final.record.path is not None
        assert sha256_of(final.record.path) == sha256_of(source)
    finally:
        manager.shutdown()


def test_an_engine_started_early_waits_for_its_options_and_ends_when_not_needed(
    server: ServerThread, source: Path, tmp_path: Path
) -> None:
    # The app starts the engine before its own imports; a second window that hands its
    # URLs to the first closes it, and it must end at once, not wait on the first's lock.
    unused = EngineProcess()
    time.sleep(0.5)  # well into its imports, or waiting for the start message
    assert unused.process.poll() is None
    started = time.monotonic()
    unused.close()
    assert unused.process.returncode == 0
    assert time.monotonic() - started < 5

    early = EngineProcess()
    engine = RemoteEngine(options=EngineOptions(max_concurrent=1), process=early)
    try:
        engine.start()
        assert engine.pid == early.process.pid
        download_id = engine.add(DownloadRequest(url(server), tmp_path))
        wait_until(
            lambda: (s := engine.get(download_id)) is None or s.state is DownloadState.COMPLETED,
            30,
            what=lambda: f"Completed, or removed: {engine.get(download_id)}",
        )
        snapshot = engine.get(download_id)
        assert snapshot is not None
        assert snapshot.record.path is not None
        assert sha256_of(snapshot.record.path) == sha256_of(source)
    finally:
        engine.shutdown()
