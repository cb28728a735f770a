"""A live faults-enabled server over a folder of known files, and managers with short timers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import pytest

from gui_app.engine.api.models import DownloadId, DownloadRequest, DownloadState
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.api.record import DownloadSnapshot
from gui_app.engine.api.retry import Backoff
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.server.runner import ServerThread
from tests.kit.files import make_file
from tests.kit.servers import serving
from tests.kit.waiting import wait_until

SIZE = (6 << 20) + 4321
UNFIT = re.compile(r"internal error|Traceback|\b[A-Z][A-Za-z]+(?:Error|Exception)\b")
MIN_SPLIT = 256 * 1024


@pytest.fixture(scope="session")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_file(tmp_path_factory.mktemp("engine-src") / "data.bin", SIZE, seed=11)


@pytest.fixture(scope="session")
def server(source: Path) -> Iterator[ServerThread]:
    with serving(source.parent, faults=True) as running:
        yield running


class DataUrl(Protocol):
    def __call__(self, extra: str = "") -> str: ...


@pytest.fixture
def data_url(server: ServerThread) -> DataUrl:
    """``data.bin``'s URL with a query no other test uses (the server counts requests per
    query), then ``extra``: ``data_url("&rate=1M")``."""

    def url(extra: str = "") -> str:
        return f"{server.url}/files/data.bin?key={uuid.uuid4().hex}{extra}"

    return url


# The tests' options: short timers, small splits.
QUICK = EngineOptions(
    save_interval=0.3,
    stall_timeout=1.5,
    min_split=MIN_SPLIT,
    backoff=Backoff(base=0.05, cap=0.5, max_failures=4),
)
MANAGER_ONLY = ("free_space", "clock", "passwords")  # the manager's own, not options


def make_manager(store: Store, **kw: Any) -> DownloadManager:
    """A started manager on ``store``, with ``QUICK``'s options but those in ``kw`` (an
    EngineOptions field, or one of ``MANAGER_ONLY``)."""
    own = {name: kw.pop(name) for name in MANAGER_ONLY if name in kw}
    manager = DownloadManager(store, options=replace(QUICK, **kw), **own)
    manager.start()
    return manager


Managers = Callable[..., DownloadManager]


@pytest.fixture
def managers(data_dir: Path) -> Iterator[Managers]:
    """Start managers on the test's store (one after another, say, to restart); each is
    shut down and its store closed when the test ends, whatever the test did."""
    made: list[tuple[DownloadManager, Store]] = []

    def start(**kw: object) -> DownloadManager:
        store = Store(data_dir / "state.sqlite3")
        made.append((make_manager(store, **kw), store))
        return made[-1][0]

    yield start
    said = [s.record.error for running, _ in made for s in running.snapshot() if s.record.error]
    for running, store in made:
        running.shutdown()
        store.close()
    # Whatever a hostile peer did, what a user reads is plain words: never a bug's name.
    for error in said:
        assert not UNFIT.search(error), f"a user would read: {error}"


@pytest.fixture
def manager(managers: Managers) -> DownloadManager:
    return managers()


Download = Callable[..., DownloadSnapshot]


@pytest.fixture
def download(manager: DownloadManager, server: ServerThread, tmp_path: Path) -> Download:
    """Add ``/files/data.bin?<query>`` and wait for it to settle; returns its snapshot."""
    out = tmp_path / "out"
    out.mkdir()

    def run(query: str = "", timeout: float = 30, **request: object) -> DownloadSnapshot:
        url = f"{server.url}/files/data.bin" + (f"?{query}" if query else "")
        download_id = manager.add(DownloadRequest(url, out, **request))  # type: ignore[arg-type]
        assert manager.wait([download_id], timeout=timeout), "download did not settle"
        snapshot = manager.get(download_id)
        assert snapshot is not None
        return snapshot

    return run


def completed(manager: DownloadManager, download_id: DownloadId, timeout: float = 30) -> Path:
    """Poll until ``download_id`` is Completed (``wait`` would return at a pause or a
    failure it may be about to leave); its file's path."""
    wait_until(
        lambda: (s := manager.get(download_id)) is None or s.state is DownloadState.COMPLETED,
        timeout,
        what=lambda: f"Completed, or removed: {manager.get(download_id)}",
    )
    snapshot = manager.get(download_id)
    assert snapshot is not None, "removed"
    assert snapshot.state is DownloadState.COMPLETED, (snapshot.state, snapshot.record.error)
    assert snapshot.record.path is not None
    return snapshot.record.path
