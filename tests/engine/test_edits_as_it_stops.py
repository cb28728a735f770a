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

from gui_app.engine.api.events import DownloadChanged, DownloadEvent
from gui_app.engine.api.models import DownloadId, DownloadRequest, DownloadState, RequestOptions
from gui_app.engine.manager.scheduler import DownloadManager
from tests.engine.conftest import DataUrl, Managers, completed
from tests.kit.files import make_file, sha256_of
from tests.kit.guarded_site import Site, guarded_site
from tests.kit.waiting import wait_until

HOLD = 5.0  # how long the listener keeps the task from returning, at most


@pytest.fixture
def guarded(tmp_path: Path) -> Path:
    return make_file(tmp_path / "site" / "guarded.bin", (2 << 20) + 99, seed=3)


def site_options(site: Site) -> RequestOptions:
    return RequestOptions((("Cookie", f"sid={site.token}"), ("Referer", site.page)))


def as_it_stops(
    manager: DownloadManager,
    settles: DownloadState,
    command: Callable[[DownloadId], None],
    taken: Callable[[DownloadId], bool],
) -> list[BaseException]:
    """Run ``command`` on another thread when a download changes to ``settles``,
    holding the task's thread in the listener until ``taken`` says the command took
    effect (or ``HOLD`` passed). Returns the list that gets what the command raised."""
    errors: list[BaseException] = []
    fired = threading.Event()

    def run(download_id: DownloadId) -> None:
        try:
            command(download_id)
        except BaseException as error:  # reported to the test
            errors.append(error)

    def listener(event: DownloadEvent) -> None:
        if not isinstance(event, DownloadChanged) or event.record.state is not settles:
            return
        if fired.is_set():
            return
        fired.set()
        download_id = event.record.id
        threading.Thread(target=run, args=(download_id,), daemon=True).start()
        deadline = time.monotonic() + HOLD
        while not taken(download_id) and not errors and time.monotonic() < deadline:
            time.sleep(0.01)

    manager.subscribe(listener)
    return errors


def has_headers(manager: DownloadManager, options: RequestOptions) -> Callable[[DownloadId], bool]:
    def check(download_id: DownloadId) -> bool:
        snapshot = manager.get(download_id)
        return snapshot is not None and snapshot.record.headers == options.headers

    return check


@pytest.mark.parametrize("edit", ["options", "refresh"])
def test_new_cookies_and_a_resume_as_it_fails_are_kept(
    managers: Managers, guarded: Path, tmp_path: Path, edit: str
) -> None:
    """The Properties dialog's new cookies, or a refreshed link with them, then Resume."""
    manager = managers()
    with guarded_site(guarded) as site:
        good = site_options(site)

        def fix(download_id: DownloadId) -> None:
            if edit == "options":
                manager.set_options(download_id, good)
            else:  # refused before: "only a paused or failed download takes a new address"
                manager.refresh(download_id, site.file_url, good.headers)
            manager.resume(download_id)

        errors = as_it_stops(manager, DownloadState.FAILED, fix, has_headers(manager, good))
        download_id = manager.add(DownloadRequest(site.file_url, tmp_path))  # no cookie: 403
        assert sha256_of(completed(manager, download_id)) == sha256_of(guarded)
    assert errors == []


def test_a_resume_as_it_pauses_starts_it_again(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path
) -> None:
    manager = managers()

    def queued(download_id: DownloadId) -> bool:
        snapshot = manager.get(download_id)
        return snapshot is not None and snapshot.state is not DownloadState.PAUSED

    errors = as_it_stops(manager, DownloadState.PAUSED, manager.resume, queued)
    download_id = manager.add(DownloadRequest(data_url("&rate=2M"), tmp_path, connections=2))
    wait_until(
        lambda: (s := manager.get(download_id)) is not None and s.done_bytes >= 1 << 20,
        10,
        what="1 MiB down",
    )
    manager.pause(download_id)
    assert sha256_of(completed(manager, download_id)) == sha256_of(source)
    assert errors == []
