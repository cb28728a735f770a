"""``rangeload get`` as the system ends it, and as another local user sees it: SIGTERM
(a shutdown, systemd, ``timeout``) and SIGHUP (a closed terminal) pause and save as
Ctrl-C does, exiting 143 and 129; after a ``kill -9`` nobody runs the download, and the
list, refresh and resume say and do so; ``-u USER:PASSWORD`` is not in the process list
while the download runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.engine.api.models import DownloadState
from gui_app.engine.disk.store import STORE_NAME, Store
from gui_app.server.runner import ServerThread
from tests.kit.files import make_file, sha256_of
from tests.kit.servers import serving
from tests.kit.waiting import wait_until

RANGELOAD = str(Path(sys.executable).with_name("rangeload"))
SIZE = 8 << 20
PASSWORD = "s3cret-Pw-81"


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_file(tmp_path_factory.mktemp("signals-src") / "big.bin", SIZE, seed=71)


@pytest.fixture(scope="module")
def server(source: Path) -> Iterator[ServerThread]:
    with serving(source.parent, faults=True) as running:
        yield running


def rangeload(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RANGELOAD_DATA_DIR": str(data)}
    return subprocess.run(
        [RANGELOAD, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def started(data: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "RANGELOAD_DATA_DIR": str(data)}
    return subprocess.Popen(
        [RANGELOAD, "get", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def stored(data: Path) -> tuple[int, DownloadState, int]:
    store = Store(data / STORE_NAME)
    try:
        [record] = store.all()
        return record.id, record.state, record.done_bytes
    finally:
        store.close()


def saved_bytes(data: Path) -> int:
    store = Store(data / STORE_NAME)
    try:
        return sum(record.done_bytes for record in store.all())
    finally:
        store.close()


def wait_for_progress(data: Path, process: subprocess.Popen[str]) -> None:

    def saved() -> bool:
        assert process.poll() is None, process.communicate()
        return (data / STORE_NAME).exists() and saved_bytes(data) > 0

    wait_until(saved, 30, what="progress saved", interval=0.1)


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_pauses_and_saves_like_ctrl_c(
    server: ServerThread, source: Path, tmp_path: Path, stop: signal.Signals, code: int
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    url = f"{server.url}/files/big.bin?key={stop.name}&rate=512K"
    process = started(data, "-c", "2", "-d", str(out), url)
    wait_for_progress(data, process)
    time.sleep(1.0)  # on purpose: between two saves, what a kill without saving would lose
    process.send_signal(stop)
    _, err = process.communicate(timeout=20)
    assert process.returncode == code, err
    assert "Traceback" not in err
    download_id, state, kept = stored(data)
    assert state is DownloadState.PAUSED
    assert kept > 0
    again = rangeload(data, "resume", str(download_id))
    assert again.returncode == 0, again.stderr
    assert sha256_of(out / "big.bin") == sha256_of(source)


def test_after_kill_9_nobody_runs_it_and_refresh_and_resume_take_it(
    server: ServerThread, source: Path, tmp_path: Path
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    url = f"{server.url}/files/big.bin?key=k9&rate=1M"
    process = started(data, "-c", "2", "-d", str(out), url)
    wait_for_progress(data, process)
    process.kill()
    process.communicate(timeout=20)
    download_id, _, _ = stored(data)
    listed = rangeload(data, "list")
    assert "interrupted" in listed.stdout, listed.stdout
    assert "running" not in listed.stdout
    fresh = f"{server.url}/files/big.bin?key=k9-fresh"
    refreshed = rangeload(data, "refresh", str(download_id), fresh)
    assert refreshed.returncode == 0, refreshed.stderr
    assert sha256_of(out / "big.bin") == sha256_of(source)


@pytest.mark.parametrize("where", ["-u", "url"])
def test_the_password_is_not_in_the_process_list(
    server: ServerThread, tmp_path: Path, where: str
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    # Slow enough to be still running under load when its first progress is saved.
    url = f"{server.url}/files/big.bin?key=ps-{where}&rate=384K"
    if where == "-u":
        given = ["-u", f"alice:{PASSWORD}", url]
    else:  # a URL's own USER:PASSWORD@
        given = [url.replace("http://", f"http://alice:{PASSWORD}@")]
    process = started(data, "-c", "1", "-d", str(out), *given)
    try:
        wait_for_progress(data, process)
        shown = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert b"alice:" in shown
        assert PASSWORD.encode() not in shown
        listed = subprocess.run(
            ["ps", "-o", "args=", "-p", str(process.pid)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert PASSWORD not in listed.stdout
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
