"""Commands given the moment a download stops: its row already says Failed or Paused, but
its task is still letting go of the file (closing it, releasing its lock). An edit then
(new cookies, a new address) must be kept, and a resume must start it again, not be
dropped. A listener holds that moment open: it runs on the task's thread, before the task
returns, and waits there until the command has been taken."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gui_app.engine.events import DownloadEvent, DownloadFailed, DownloadPaused
from gui_app.engine.models import DownloadId, DownloadRequest, DownloadState, RequestOptions
from gui_app.engine.scheduler import DownloadManager
from tests.browser.site import Site, guarded_site
from tests.engine.conftest import DataUrl, Managers
from tests.helpers import make_file, sha256_of

HOLD = 5.0  # how long the listener keeps the task from returning, at most


@pytest.fixture
def guarded(tmp_path: Path) -> Path:
    return make_file(tmp_path / "site" / "guarded.bin", (2 << 20) + 99, seed=3)


def site_options(site: Site) -> RequestOptions:
    return RequestOptions((("Cookie", f"sid={site.token}"), ("Referer", site.page)))


def as_it_stops(
    manager: DownloadManager,
    settles: type[DownloadFailed | DownloadPaused],
    command: Callable[[DownloadId], None],
    taken: Callable[[DownloadId], bool],
) -> list[BaseException]:
    """Run ``command`` on another thread when a download's ``settles`` event arrives,
    holding the task's thread in the listener until ``taken`` says the command took
    effect (or ``HOLD`` passed). Returns what the command raised; joined by ``ended``."""
    errors: list[BaseException] = []
    fired = threading.Event()

    def run(download_id: DownloadId) -> None:
        try:
            command(download_id)
        except BaseException as error:  # reported to the test
            errors.append(error)

    def listener(event: DownloadEvent) -> None:
        if not isinstance(event, settles) or fired.is_set():
            return
        fired.set()
        download_id = event.record.id
        threading.Thread(target=run, args=(download_id,), daemon=True).start()
        deadline = time.monotonic() + HOLD
        while not taken(download_id) and not errors and time.monotonic() < deadline:
            time.sleep(0.01)

    manager.subscribe(listener)
    return errors


def finished(manager: DownloadManager, download_id: DownloadId, source: Path, out: Path) -> None:
    """``download_id`` completes, byte for byte ``source``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        snapshot = manager.get(download_id)
        assert snapshot is not None
        if snapshot.state is DownloadState.COMPLETED:
            break
        time.sleep(0.05)
    snapshot = manager.get(download_id)
    assert snapshot is not None
    assert snapshot.state is DownloadState.COMPLETED, (snapshot.state, snapshot.record.error)
    assert sha256_of(out / source.name) == sha256_of(source)


def test_new_cookies_and_a_resume_as_it_fails_are_kept(
    managers: Managers, guarded: Path, tmp_path: Path
) -> None:
    manager = managers()
    out = tmp_path / "out"
    out.mkdir()
    with guarded_site(guarded) as site:
        good = site_options(site)

        def fix(download_id: DownloadId) -> None:
            manager.set_options(download_id, good)
            manager.resume(download_id)

        def taken(download_id: DownloadId) -> bool:
            snapshot = manager.get(download_id)
            return snapshot is not None and snapshot.record.headers == good.headers

        errors = as_it_stops(manager, DownloadFailed, fix, taken)
        manager.add(DownloadRequest(site.file_url, out))  # no cookie: 403
        download_id = manager.snapshot()[0].id
        finished(manager, download_id, guarded, out)
    assert errors == []


def test_a_new_address_as_it_fails_is_taken(
    managers: Managers, guarded: Path, tmp_path: Path
) -> None:
    manager = managers()
    out = tmp_path / "out"
    out.mkdir()
    with guarded_site(guarded) as site:
        good = site_options(site)

        def refresh(download_id: DownloadId) -> None:
            manager.refresh(download_id, site.file_url, good.headers)

        def taken(download_id: DownloadId) -> bool:
            snapshot = manager.get(download_id)
            return snapshot is not None and snapshot.record.headers == good.headers

        errors = as_it_stops(manager, DownloadFailed, refresh, taken)
        download_id = manager.add(DownloadRequest(site.file_url, out))
        deadline = time.monotonic() + 20
        while not taken(download_id) and not errors and time.monotonic() < deadline:
            time.sleep(0.05)
        assert errors == []
        manager.resume(download_id)
        finished(manager, download_id, guarded, out)


def test_a_resume_as_it_pauses_starts_it_again(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path
) -> None:
    manager = managers()

    def queued(download_id: DownloadId) -> bool:
        snapshot = manager.get(download_id)
        return snapshot is not None and snapshot.state is not DownloadState.PAUSED

    errors = as_it_stops(manager, DownloadPaused, manager.resume, queued)
    download_id = manager.add(DownloadRequest(data_url("&rate=2M"), tmp_path, connections=2))
    deadline = time.monotonic() + 10
    while (snapshot := manager.get(download_id)) is not None and snapshot.done_bytes < 1 << 20:
        assert time.monotonic() < deadline, "no bytes came"
        time.sleep(0.05)
    manager.pause(download_id)
    finished(manager, download_id, source, tmp_path)
    assert errors == []
