"""The desktop app as users run it: ``rangeload URL`` in its own process (offscreen), with
its engine in another. A ``kill -9`` of the app loses at most the save interval and the
next start finishes the download; SIGTERM (a session ending) quits cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gui_app.app.settings import Settings
from gui_app.engine.api.models import DownloadState
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.disk.store import STORE_NAME, Store
from gui_app.server.runner import ServerThread
from tests.engine.conftest import server, source
from tests.kit.files import sha256_of
from tests.kit.processes import process_ended
from tests.kit.waiting import wait_until

__all__ = ["server", "source"]

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
ENDED = (DownloadState.COMPLETED, DownloadState.FAILED, DownloadState.PAUSED)


@pytest.fixture
def out(data_dir: Path, tmp_path: Path) -> Path:
    """The app's download folder, saved in its settings as a user would choose it."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    store = Store(data_dir / STORE_NAME)
    Settings(download_dir=folder).save(store)
    store.close()
    return folder


@pytest.fixture
def launch(data_dir: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def run(*args: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "RANGELOAD_DATA_DIR": str(data_dir)}
        app = subprocess.Popen(
            [RANGELOAD, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        started.append(app)
        return app

    yield run
    for app in started:
        if app.poll() is None:
            app.kill()
        app.wait()
        if app.stderr is not None:
            app.stderr.close()


def engine_of(app: subprocess.Popen[bytes], timeout: float = 15) -> int:
    children = wait_until(
        lambda: Path(f"/proc/{app.pid}/task/{app.pid}/children").read_text().split(),
        timeout,
        what="the app's engine process",
    )
    return int(children[0])


def stored(data_dir: Path) -> list[DownloadRecord]:
    store = Store(data_dir / STORE_NAME)
    try:
        return store.all()
    finally:
        store.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_the_app_then_a_restart_finishes_the_download(
    launch: Callable[..., subprocess.Popen[bytes]],
    out: Path,
    data_dir: Path,
    server: ServerThread,
    source: Path,
) -> None:
    url = f"{server.url}/files/data.bin?key={uuid.uuid4().hex}&rate=64K"
    app = launch(url)
    engine = engine_of(app)
    saved = wait_until(
        lambda: next((r for r in stored(data_dir) if r.done_bytes > (1 << 20)), None),
        30,
        what="1 MiB saved",
    )
    app.kill()  # kill -9 of the app: no chance to save anything itself
    app.wait()
    wait_until(lambda: process_ended(engine), 10, what="the engine to end with the app")
    (record,) = stored(data_dir)
    assert record.done_bytes >= saved.done_bytes  # the engine saved on its way out
    assert record.state is DownloadState.QUEUED  # was running: resumes on the next start

    again = launch()  # no URL: the stored list comes back and the download resumes
    done = wait_until(
        lambda: next((r for r in stored(data_dir) if r.state is DownloadState.COMPLETED), None),
        60,
        what="the download completed",
    )
    assert done.path is not None
    assert done.path.parent == out
    assert sha256_of(done.path) == sha256_of(source)
    assert again.poll() is None  # still open, showing the finished download


def test_an_app_started_again_at_once_waits_for_the_old_engine(
    launch: Callable[..., subprocess.Popen[bytes]],
    out: Path,
    data_dir: Path,
    server: ServerThread,
    source: Path,
) -> None:
    """No pause between the kill and the new start: the old engine may still hold the
    .part file while it saves; the new one must wait for it, not fail the download.
    (Whether the old one is still saving is a race; test_remote's lock test is the
    deterministic check of the mechanism.)"""
    app = launch(f"{server.url}/files/data.bin?key={uuid.uuid4().hex}&rate=128K")
    wait_until(
        lambda: next((r for r in stored(data_dir) if r.done_bytes > (1 << 20)), None),
        30,
        what="1 MiB saved",
    )
    app.kill()
    app.wait()
    launch()
    done = wait_until(
        lambda: next((r for r in stored(data_dir) if r.state in ENDED), None),
        60,
        what="the download ended",
    )
    assert done.state is DownloadState.COMPLETED, done.error
    assert done.path is not None
    assert sha256_of(done.path) == sha256_of(source)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_quits_the_app_and_its_engine_cleanly(
    launch: Callable[..., subprocess.Popen[bytes]],
    out: Path,
    data_dir: Path,
    server: ServerThread,
) -> None:
    url = f"{server.url}/files/data.bin?key={uuid.uuid4().hex}&rate=64K"
    app = launch(url)
    engine = engine_of(app)
    wait_until(
        lambda: next((r for r in stored(data_dir) if r.done_bytes > 0), None),
        30,
        what="bytes saved",
    )
    app.send_signal(signal.SIGTERM)
    assert app.wait(15) == 0
    assert app.stderr is not None
    assert b"Traceback" not in app.stderr.read()
    assert process_ended(engine)
    (record,) = stored(data_dir)
    assert record.state is DownloadState.QUEUED
    assert record.done_bytes > 0
    store = Store(data_dir / STORE_NAME)
    try:
        assert store.get_setting("window.geometry")  # the window saved its layout on the way
    finally:
        store.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_demo_downloads_its_samples_and_leaves_the_users_list_alone(
    data_dir: Path,
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "RANGELOAD_DATA_DIR": str(data_dir)}
    demo = subprocess.Popen(
        [RANGELOAD, "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert demo.stdout is not None
        line = demo.stdout.readline()  # "demo server on URL/ serving ROOT; downloads go to OUT; …"
        served = Path(line.split(" serving ")[1].split(";")[0])
        out = Path(line.split("downloads go to ")[1].split(";")[0])
        folder = out.parent
        demo_store = folder / "data" / STORE_NAME
        done = wait_until(
            lambda: next(
                (
                    r
                    for r in stored(demo_store.parent)
                    if r.state is DownloadState.COMPLETED and r.filename == "small.bin"
                ),
                None,
            ),
            60,
            what="the demo's small.bin completed",
        )
        assert done.path is not None
        assert sha256_of(done.path) == sha256_of(served / "small.bin")
        assert {r.filename for r in stored(demo_store.parent)} == {
            "small.bin",
            "medium.bin",
            "large.iso",
        }
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(20) == 0
        assert not folder.exists()  # samples, downloads and the demo's list: all gone
        assert stored(data_dir) == []  # the user's own list never saw the demo
        assert demo.stderr is not None
        assert "Traceback" not in demo.stderr.read()
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        for stream in (demo.stdout, demo.stderr):
            if stream is not None:
                stream.close()
