"""What happens when the machine, not the server, misbehaves: a store that cannot be
written or holds bad rows, heads that never end, a stop in the middle of a request, a
nearly full disk, secrets at rest, and the order of events (review items 10-13, 21, 22)."""

from __future__ import annotations

import functools
import logging
import sqlite3
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gui_app.engine.api.events import DownloadChanged, DownloadEvent
from gui_app.engine.api.models import DownloadRequest, DownloadState, PauseReason
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.api.record import Progress, Remote
from gui_app.engine.api.retry import Backoff
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ground import logs
from gui_app.ground.urls import redact_text
from gui_app.server.runner import ServerThread
from tests.engine.conftest import MIN_SPLIT, Managers
from tests.kit.files import sha256_of
from tests.kit.hostile import Out, Request, hostile_server
from tests.kit.waiting import wait_until


@pytest.fixture
def out(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def slow_url(server: ServerThread) -> str:
    return f"{server.url}/files/data.bin?key={uuid.uuid4().hex}&rate=512K"


# -- 10. secrets at rest and in logs ------------------------------------------------------


def test_the_store_is_the_owners_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "data" / "state.sqlite3")
    store.close()
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    for path in (tmp_path / "data").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_log_lines_never_carry_credentials(caplog: pytest.LogCaptureFixture) -> None:
    assert "s3cret" not in redact_text("GET http://user:s3cret@example.org/f?token=s3cret")
    assert "s3cret" not in redact_text("headers {'Authorization': 'Bearer s3cret'}")
    assert "s3cret" not in redact_text("Cookie: session=s3cret; other=1")
    record = logging.LogRecord("x", logging.INFO, "f", 1, "GET %s", ("http://u:s3cret@h/",), None)
    logs.RedactingFilter().filter(record)
    assert "s3cret" not in record.getMessage()


# -- 11. a store that cannot be written ---------------------------------------------------


def test_a_locked_store_pauses_the_download_with_a_message(
    server: ServerThread, data_dir: Path, out: Path
) -> None:
    store = Store(data_dir / "state.sqlite3", busy_timeout=0.2)
    manager = DownloadManager(store, options=EngineOptions(save_interval=0.2, min_split=MIN_SPLIT))
    manager.start()
    blocker = sqlite3.connect(data_dir / "state.sqlite3", isolation_level=None)
    try:
        download_id = manager.add(DownloadRequest(slow_url(server), out))
        wait_until(
            lambda: (s := manager.get(download_id)) is not None and s.done_bytes > 0,
            20,
            what="the first bytes",
        )
        blocker.execute("BEGIN EXCLUSIVE")  # another program holds the file
        assert manager.wait([download_id], timeout=15), "the download never ended"
        snapshot = manager.get(download_id)
        assert snapshot is not None
        assert snapshot.state is DownloadState.PAUSED
        assert snapshot.record.pause_reason is PauseReason.STORE
        assert "could not be saved" in (snapshot.record.error or "")
    finally:
        blocker.close()
        manager.shutdown()
        store.close()


# -- 12. a valid store with bad rows ------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [("done", "not json"), ("state", "dancing"), ("done", "[[50, 10]]"), ("checksum", "x")],
)
def test_unreadable_rows_are_set_aside(tmp_path: Path, column: str, value: str) -> None:
    path = tmp_path / "state.sqlite3"
    store = Store(path)
    good = store.add(DownloadRequest("http://example.org/a", tmp_path), DownloadState.QUEUED)
    bad = store.add(DownloadRequest("http://example.org/b", tmp_path), DownloadState.QUEUED)
    store.close()
    db = sqlite3.connect(path)
    db.execute(f"UPDATE downloads SET {column} = ? WHERE id = ?", (value, bad.id))
    db.commit()
    db.close()
    store = Store(path)
    try:
        assert [r.id for r in store.all()] == [good.id]
        assert store.get(bad.id) is None
        assert len(store.set_aside_rows) == 1
        assert f"download #{bad.id}" in store.set_aside_rows[0]
    finally:
        store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT id FROM set_aside").fetchall() == [(bad.id,)]
    db.close()


# -- 13. response heads that never end, and a stop during a request -----------------------


def trickling(request: Request, o: Out) -> None:
    o.trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000, every=0.05)


def test_a_head_that_never_ends_times_out(managers: Managers, data_dir: Path, out: Path) -> None:
    manager = managers(head_timeout=1.0, backoff=Backoff(base=0.05, cap=0.1, max_failures=1))
    try:
        with hostile_server(trickling) as server:
            start = time.monotonic()
            download_id = manager.add(DownloadRequest(f"{server.url}/f.bin", out))
            assert manager.wait([download_id], timeout=15)
            elapsed = time.monotonic() - start
        snapshot = manager.get(download_id)
        assert snapshot is not None
        assert snapshot.state is DownloadState.FAILED
        assert "within 1 s" in (snapshot.record.error or ""), snapshot.record.error
        assert elapsed < 5
    finally:
        manager.shutdown()


def test_a_stop_interrupts_a_request_under_way(manager: DownloadManager, out: Path) -> None:
    with hostile_server(trickling) as server:
        download_id = manager.add(DownloadRequest(f"{server.url}/f.bin", out))
        wait_until(lambda: len(server.requests) == 1, 20, what="the request")
        time.sleep(0.2)  # on purpose: the stop comes with the head half trickled
        start = time.monotonic()
        manager.pause(download_id)
        assert manager.wait([download_id], timeout=5)
        assert time.monotonic() - start < 1.0
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.PAUSED


# -- 21. a paused download on a nearly full disk ------------------------------------------


def test_a_preallocated_download_resumes_on_a_nearly_full_disk(
    managers: Managers, server: ServerThread, source: Path, data_dir: Path, out: Path
) -> None:
    free = {"bytes": 1 << 40}
    manager = managers(free_space=lambda _: free["bytes"])
    try:
        download_id = manager.add(DownloadRequest(slow_url(server), out, connections=2))
        wait_until(
            lambda: (s := manager.get(download_id)) is not None and s.done_bytes > 300_000,
            20,
            what="300 kB down",
        )
        manager.pause(download_id)
        assert manager.wait([download_id], timeout=10)
        free["bytes"] = 4096  # the disk filled up, but the part file's space is its own
        manager.resume(download_id)
        assert manager.wait([download_id], timeout=60)
        snapshot = manager.get(download_id)
        assert snapshot is not None
        assert snapshot.state is DownloadState.COMPLETED, snapshot.record.error
        assert snapshot.record.path is not None
        assert sha256_of(snapshot.record.path) == sha256_of(source)
    finally:
        manager.shutdown()


# -- 22. order of events, and remove with a download finishing meanwhile ------------------


def test_a_resumed_download_is_never_left_looking_queued(
    manager: DownloadManager, server: ServerThread, out: Path
) -> None:
    """Listeners get the states in the order they happened: a quick start after a resume
    never leaves the row saying Queued (review item 22)."""
    events: list[DownloadEvent] = []
    lock = threading.Lock()

    def listen(event: DownloadEvent) -> None:
        with lock:
            events.append(event)

    def states_of(download_id: int) -> list[DownloadState]:
        with lock:
            return [
                e.record.state
                for e in events
                if isinstance(e, DownloadChanged) and e.record.id == download_id
            ]

    manager.subscribe(listen)
    for _ in range(5):
        download_id = manager.add(DownloadRequest(slow_url(server), out, start_paused=True))
        manager.resume(download_id)
        wait_until(
            functools.partial(lambda i: DownloadState.RUNNING in states_of(i), download_id),
            20,
            what="Running",
        )
        time.sleep(0.1)  # on purpose: room for a late Queued to arrive, if one ever did
        assert states_of(download_id)[-1] is not DownloadState.QUEUED, states_of(download_id)
        manager.pause(download_id)


def test_remove_with_delete_also_deletes_a_file_completed_meanwhile(
    manager: DownloadManager, server: ServerThread, out: Path
) -> None:
    url = f"{server.url}/files/data.bin?key={uuid.uuid4().hex}"
    download_id = manager.add(DownloadRequest(url, out))
    wait_until(
        lambda: (
            (s := manager.get(download_id)) is not None
            and (s.state is DownloadState.VERIFYING or s.done_bytes > 0)
        ),
        20,
        what="bytes, or the check",
    )
    manager.remove(download_id, delete_file=True)
    wait_until(
        lambda: manager.get(download_id) is None and not list(out.iterdir()),
        15,
        what="the download and its file gone",
    )


@pytest.fixture
def manager(managers: Managers, data_dir: Path) -> Iterator[DownloadManager]:
    running = managers()
    yield running
    running.shutdown()


class BrokenStore(Store):
    """A store with a bug: saving what the server taught, once it knows the size, raises
    a bare error."""

    def save_remote(
        self, download_id: int, remote: Remote, progress: Progress, *, durable: bool = True
    ) -> None:
        if remote.size is not None:
            raise RuntimeError
        super().save_remote(download_id, remote, progress, durable=durable)


def test_an_unexpected_error_ends_the_download_with_its_name(
    server: ServerThread, data_dir: Path, out: Path
) -> None:
    store = BrokenStore(data_dir / "state.sqlite3")
    manager = DownloadManager(store)
    manager.start()
    try:
        url = f"{server.url}/files/data.bin?key={uuid.uuid4().hex}"
        download_id = manager.add(DownloadRequest(url, out))
        assert manager.wait([download_id], timeout=20), "the download never ended"
        snapshot = manager.get(download_id)
    finally:
        manager.shutdown()
        store.close()
    assert snapshot is not None
    assert snapshot.state is DownloadState.FAILED
    assert snapshot.record.error == "internal error: RuntimeError"
