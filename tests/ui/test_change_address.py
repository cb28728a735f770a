"""Change address…: a download whose link expired goes on from a new link with the bytes
it had; a new link that does not serve the file is refused with the reason, and the
download is left as it was."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadRequest, DownloadState
from gui_app.server.runner import ServerThread
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl
from tests.kit.files import sha256_bytes, sha256_of
from tests.kit.hostile import hostile_server, serve_file
from tests.ui.modal import answer_next_input, answer_next_question, offer_shown, settle
from tests.ui.rows import assert_row_completes

EXPIRES = "&rate=2M&drop_after=1500000&html_after=1"


def expired_row(qtbot: QtBot, window: MainWindow, data_url: DataUrl) -> int:
    window.links.add_urls([data_url(EXPIRES)])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.FAILED, timeout=30_000
    )
    snapshot = window.model.snapshot_at(0)
    assert "link probably expired" in (snapshot.record.error or "")
    window.view.selectRow(0)
    qtbot.waitUntil(window.change_address_action.isEnabled, timeout=2000)
    assert window.details.change_address.isVisibleTo(window)
    return snapshot.done_bytes


def test_a_new_address_keeps_the_bytes(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    kept = expired_row(qtbot, window, data_url)
    assert kept > 0
    fresh = data_url()
    answer_next_input(fresh)
    window.change_address_action.trigger()
    assert_row_completes(qtbot, window, source)
    assert window.model.snapshot_at(0).record.url == fresh


def test_an_address_that_does_not_serve_the_file_is_refused(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, server: ServerThread
) -> None:
    kept = expired_row(qtbot, window, data_url)
    before = window.model.snapshot_at(0).record
    answer_next_input(f"{server.url}/files/not-the-file.bin")
    window.change_address_action.trigger()
    qtbot.waitUntil(lambda: "not found" in window.statusBar().currentMessage(), timeout=10_000)
    settle(qtbot, window)
    after = window.model.snapshot_at(0)
    assert after.record.url == before.url
    assert after.state is DownloadState.FAILED
    assert after.done_bytes == kept


def test_another_file_at_the_new_address_may_start_over(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow
) -> None:
    expired_row(qtbot, window, data_url)
    other = data_url("&change_after=0&change_size=10")  # another version, 10 bytes longer
    answer_next_input(other)
    window.change_address_action.trigger()
    answer_next_question("Start over from it")  # asked once the engine has refused it
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.COMPLETED, timeout=30_000
    )
    record = window.model.snapshot_at(0).record
    assert record.url == other
    assert record.path is not None
    with urllib.request.urlopen(other) as answer:  # the new file, as the server has it now
        assert sha256_of(record.path) == sha256_bytes(answer.read())


def test_a_pasted_link_named_like_a_stopped_download_renews_it(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    kept = expired_row(qtbot, window, data_url)
    fresh = data_url()
    answer_next_question("Update the existing download")
    window.links.add_urls([fresh])
    assert_row_completes(qtbot, window, source)
    assert window.model.rowCount() == 1  # the same download went on, none was added
    assert window.model.snapshot_at(0).record.url == fresh
    assert kept > 0


def test_a_renewing_link_to_another_file_is_offered_as_new(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow
) -> None:
    kept = expired_row(qtbot, window, data_url)
    other = data_url("&change_after=0&change_size=10")  # the same name, another file
    answer_next_question("Update the existing download")
    window.links.add_urls([other])
    qtbot.waitUntil(lambda: offer_shown(window), timeout=10_000)
    assert "serves another file" in window.statusBar().currentMessage()
    dialog = window.links.offer_dialog
    assert dialog is not None
    assert dialog.urls_edit.toPlainText() == other
    dialog.reject()
    settle(qtbot, window)
    assert window.model.rowCount() == 1
    assert window.model.snapshot_at(0).done_bytes == kept


@pytest.mark.parametrize(
    ("answer", "sent"), [("Don't send them to", None), ("Send them to", "sid=old")]
)
def test_another_site_gets_the_cookies_only_when_the_user_says_so(
    data_url: DataUrl,
    qtbot: QtBot,
    window: MainWindow,
    source: Path,
    answer: str,
    sent: str | None,
    tmp_path: Path,
) -> None:
    request = DownloadRequest(data_url(EXPIRES), tmp_path, headers=(("Cookie", "sid=old"),))
    window.links.add_requests([request])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.FAILED, timeout=30_000
    )
    window.view.selectRow(0)
    qtbot.waitUntil(window.change_address_action.isEnabled, timeout=2000)
    data = source.read_bytes()
    with hostile_server(
        lambda r, o: serve_file(r, o, data, etag=None, last_modified=None)
    ) as other:
        answer_next_input(f"{other.url}/mirror/data.bin")
        answer_next_question(f"{answer} 127.0.0.1:{other.port}")
        window.change_address_action.trigger()
        assert_row_completes(qtbot, window, source)
        assert {r.headers.get("cookie") for r in other.requests} == {sent}
