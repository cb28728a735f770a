"""A pasted or dropped list of links: it reaches the engine in one call (one store
transaction, not a synced one per link), in the order given, without a walk over the
list per link on the GUI thread; and one link the engine refuses keeps none of the
others out, and is said."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadId, DownloadRequest, DownloadState
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, manager: DownloadManager) -> list[tuple[str, int]]:
    """The engine calls that add downloads: ("add", 1) or ("add_many", how many)."""
    seen: list[tuple[str, int]] = []
    add, add_many = manager.add, manager.add_many

    def counted_add(request: DownloadRequest) -> DownloadId:
        seen.append(("add", 1))
        return add(request)

    def counted_add_many(requests: Sequence[DownloadRequest]) -> list[DownloadId]:
        seen.append(("add_many", len(requests)))
        return add_many(requests)

    monkeypatch.setattr(manager, "add", counted_add)
    monkeypatch.setattr(manager, "add_many", counted_add_many)
    return seen


def test_a_pasted_list_is_added_in_one_call_in_its_order(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, calls: list[tuple[str, int]]
) -> None:
    urls = [data_url() for _ in range(300)]
    window.links.add_urls(urls, start_paused=True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 300, timeout=20_000)
    rows = [window.model.snapshot_at(row) for row in range(300)]
    assert [s.record.url for s in rows] == urls
    assert all(s.state is DownloadState.PAUSED for s in rows)
    assert calls == [("add_many", 300)]
    more = [data_url() for _ in range(300)]
    window.links.add_urls(urls[:5] + more, start_paused=True)  # five listed: offered
    qtbot.waitUntil(lambda: window.model.rowCount() == 600, timeout=20_000)
    assert calls == [("add_many", 300), ("add_many", 300)]
    assert window.links.offer_dialog is not None


def test_one_refused_link_keeps_none_of_the_others_out(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, calls: list[tuple[str, int]]
) -> None:
    good = [data_url() for _ in range(3)]
    folder = window.download_dir
    requests = [DownloadRequest(url, folder, start_paused=True) for url in good]
    requests.insert(1, DownloadRequest("http://exa mple.com/f.bin", folder))
    window.links.add_requests(requests)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=20_000)
    assert [window.model.snapshot_at(row).record.url for row in range(3)] == good
    qtbot.waitUntil(
        lambda: "Not added: URL contains spaces" in window.statusBar().currentMessage(),
        timeout=5000,
    )
    # Refused as a whole, then one by one (each ``add`` is an ``add_many`` of one).
    assert calls == [("add_many", 4)] + [("add", 1), ("add_many", 1)] * 4


def test_a_link_into_a_folder_gone_is_said_in_plain_words(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl
) -> None:
    gone = window.download_dir / "gone"
    good = data_url()
    requests = [
        DownloadRequest(good, window.download_dir, start_paused=True),
        DownloadRequest(data_url(), gone),
    ]
    window.links.add_requests(requests)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=20_000)
    assert window.model.snapshot_at(0).record.url == good
    said = f"Not added: destination folder does not exist: {gone}"
    qtbot.waitUntil(lambda: said in window.statusBar().currentMessage(), timeout=5000)
