"""Links offered rather than added (clipboard watching, "ask first" hand-over), and the
questions the window asks before it loses anything (pausing what cannot resume, removing)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.handover import Offer
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl
from tests.kit.files import sha256_of
from tests.ui.modal import answer_next_question, copy_to_clipboard, offer_shown, settle
from tests.ui.rows import assert_row_completes


def test_clipboard_watching_is_off_by_default_and_offers_once(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    copy_to_clipboard(qtbot, data_url())
    assert window.links.offer_dialog is None  # off by default: copying does nothing
    window.apply_settings(replace(window.settings, watch_clipboard=True), save=False)
    url = data_url()
    copy_to_clipboard(qtbot, f"look: {url}")
    qtbot.waitUntil(
        lambda: offer_shown(window),
        timeout=2000,
    )
    offer = window.links.offer_dialog
    assert offer is not None
    assert offer.urls_edit.toPlainText() == url
    assert window.model.rowCount() == 0  # offered, not added
    offer.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert_row_completes(qtbot, window, source)
    copy_to_clipboard(qtbot, url)  # the same link again: already listed, not offered twice
    assert window.links.offer_dialog is None


def test_handed_over_links_can_ask_first(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow
) -> None:
    window.apply_settings(replace(window.settings, ask_before_adding=True), save=False)
    first, second = data_url(), data_url()
    window.receive_urls([first, "ftp://nope/x"])
    qtbot.waitUntil(
        lambda: offer_shown(window),
        timeout=2000,
    )
    assert "unsupported scheme" in window.statusBar().currentMessage()
    window.receive_urls([second])  # a second hand-over joins the open dialog
    offer = window.links.offer_dialog
    assert offer is not None
    assert offer.urls_edit.toPlainText().splitlines() == [first, second]
    offer.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: window.links.offer_dialog is None, timeout=2000)
    settle(qtbot, window)
    assert window.model.rowCount() == 0  # declined: nothing added


def test_pausing_what_cannot_resume_says_so_and_asks(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    window.links.add_urls([data_url("&ignore_range=1&rate=1M")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: (
            window.model.snapshot_at(0).record.resumable is False
            and window.model.snapshot_at(0).done_bytes > 0
        ),
        timeout=10_000,
    )
    window.view.selectRow(0)
    qtbot.waitUntil(window.pause_action.isEnabled, timeout=2000)
    assert "restarts" in window.pause_action.text()
    assert "start again from the beginning" in window.pause_action.toolTip()
    assert "does not support resuming" in window.details.text.text()
    answer_next_question("No")
    window.pause_action.trigger()
    settle(qtbot, window)
    assert window.model.snapshot_at(0).state is DownloadState.RUNNING  # declined: still going
    answer_next_question("Yes")
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.model.snapshot_at(0).state is DownloadState.PAUSED, timeout=2000)
    window.resume_action.trigger()
    assert_row_completes(qtbot, window, source)


def test_remove_asks_whether_to_delete_the_file(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    window.links.add_urls([data_url(), data_url()])
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(
        lambda: all(window.model.snapshot_at(r).state is DownloadState.COMPLETED for r in (0, 1)),
        timeout=30_000,
    )
    kept, deleted = (window.model.snapshot_at(r).record.path for r in (0, 1))
    assert kept is not None
    assert deleted is not None
    window.view.selectRow(0)
    answer_next_question("Cancel")
    window.remove_action.trigger()
    settle(qtbot, window)
    assert window.model.rowCount() == 2  # cancelled
    answer_next_question("Remove")
    window.remove_action.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert sha256_of(kept) == sha256_of(source)  # removed from the list, file kept
    window.view.selectRow(0)
    answer_next_question("Remove and delete files")
    window.remove_action.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=5000)
    qtbot.waitUntil(lambda: not deleted.exists(), timeout=5000)
    assert kept.exists()


@pytest.mark.parametrize("ask", [False, True])
def test_a_browser_offer_keeps_its_cookies_referrer_and_name(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path, ask: bool
) -> None:
    window.apply_settings(replace(window.settings, ask_before_adding=ask), save=False)
    offer = Offer(
        data_url(),
        referrer="https://site.example/page",
        filename="chosen.bin",
        cookies="sid=s3cret",
        user_agent="Mozilla/5.0 (test)",
    )
    window.receive_offers([offer])
    if ask:
        qtbot.waitUntil(lambda: offer_shown(window), timeout=2000)
        dialog = window.links.offer_dialog
        assert dialog is not None
        assert dialog.origins.isVisibleTo(dialog)
        assert "from https://site.example/page, saved as chosen.bin" in dialog.origins.text()
        assert "s3cret" not in dialog.origins.text()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    path = assert_row_completes(qtbot, window, source)
    record = window.model.snapshot_at(0).record
    assert path.name == "chosen.bin"
    window.view.selectRow(0)
    shown = window.details.text.text()
    assert "Cookie (hidden)" in shown
    assert "User-Agent: Mozilla/5.0 (test)" in shown
    assert "s3cret" not in shown
    assert dict(record.headers) == {
        "Referer": "https://site.example/page",
        "Cookie": "sid=s3cret",
        "User-Agent": "Mozilla/5.0 (test)",
    }
