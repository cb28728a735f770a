"""How a download asks for its file, in the app: the Add dialog's Advanced section
(cookies, referrer, login, proxy), a login asked for when the server answers 401, the
Properties dialog of a failed download, and the question when the file on the server
changed under kept bytes. Real engine, real servers; every file ends SHA-256 equal, and no
secret shows in the details pane."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from gui_app.app.settings import ProxyMode
from gui_app.engine.api.models import DIRECT, DownloadState, Login, Problem
from gui_app.ui.add_dialog import AddDialog
from gui_app.ui.main_window import MainWindow
from gui_app.ui.problems import LoginDialog
from tests.engine.conftest import DataUrl, Managers
from tests.kit.files import make_file, sha256_bytes, sha256_of
from tests.kit.guarded_site import guarded_site
from tests.kit.proxies import TINYPROXY, tinyproxy
from tests.ui.conftest import shown_window
from tests.ui.modal import answer_next_input
from tests.ui.rows import assert_row_completes

PASSWORD = "s3same-0pen"


@pytest.fixture
def guarded(tmp_path: Path) -> Path:
    return make_file(tmp_path / "site" / "guarded.bin", (2 << 20) + 99, seed=3)


def offered_dialog(qtbot: QtBot, window: MainWindow, url: str) -> AddDialog:
    window.links.offer_urls([url])
    qtbot.waitUntil(lambda: window.links.offer_dialog is not None, timeout=2000)
    dialog = window.links.offer_dialog
    assert dialog is not None
    return dialog


def test_the_advanced_section_sends_cookies_a_referrer_and_a_digest_login(
    qtbot: QtBot, window: MainWindow, guarded: Path
) -> None:
    with guarded_site(guarded, login=("alice", PASSWORD), digest=True) as site:
        dialog = offered_dialog(qtbot, window, site.file_url)
        assert not dialog.advanced.isVisibleTo(dialog)
        dialog.advanced_toggle.click()
        assert dialog.advanced.isVisibleTo(dialog)
        fields = dialog.advanced
        fields.cookies.setText(f"sid={site.token}")
        fields.referrer.setText(site.page)
        fields.headers_edit.setPlainText("X-Bad Header: 1")
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()
        assert "Headers, line 1" in dialog.problems.text()
        fields.headers_edit.setPlainText("X-Test: 1")
        fields.user.setText("alice")
        fields.password.setText(PASSWORD)
        fields.proxy_choice.setCurrentIndex(fields.proxy_choice.findData("none"))
        assert ok.isEnabled()
        ok.click()
        path = assert_row_completes(qtbot, window, guarded)
    assert path.parent == window.download_dir
    record = window.model.snapshot_at(0).record
    assert record.login == Login("alice", PASSWORD)
    assert record.proxy == DIRECT
    assert ("X-Test", "1") in record.headers
    window.view.selectRow(0)
    details = window.details.text.text()
    assert "alice (password hidden)" in details
    assert "Cookie (hidden)" in details
    assert "no proxy" in details
    assert PASSWORD not in details
    assert site.token not in details


def test_a_401_asks_for_a_login_and_goes_on_with_it(
    qtbot: QtBot, window: MainWindow, guarded: Path
) -> None:
    with guarded_site(guarded, login=("bob", PASSWORD), cookie=False) as site:
        window.links.add_urls([site.file_url])
        qtbot.waitUntil(lambda: window.problems.dialog is not None, timeout=20_000)
        dialog = window.problems.dialog
        assert isinstance(dialog, LoginDialog)
        assert "asks for a login (401 Unauthorized)" in dialog.said.text()
        assert window.model.snapshot_at(0).record.problem is Problem.LOGIN
        dialog.user.setText("bob")
        dialog.password.setText("not it")
        dialog.accept()
        # Refused: asked again, with the server's words.
        qtbot.waitUntil(lambda: window.problems.dialog not in (None, dialog), timeout=20_000)
        again = window.problems.dialog
        assert isinstance(again, LoginDialog)
        assert again.user.text() == "bob"
        assert "refused the login for bob" in again.said.text()
        again.password.setText(PASSWORD)
        again.accept()
        assert_row_completes(qtbot, window, guarded)
        assert site.challenges == ["basic"] * 2  # asked, refused; then the right one let in


def test_the_properties_of_a_failed_download_fix_it(
    qtbot: QtBot, window: MainWindow, guarded: Path
) -> None:
    with guarded_site(guarded) as site:
        window.links.add_urls([site.file_url])  # no cookie: refused
        qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
        qtbot.waitUntil(
            lambda: window.model.snapshot_at(0).state is DownloadState.FAILED, timeout=20_000
        )
        assert "403" in (window.model.snapshot_at(0).record.error or "")
        window.view.selectRow(0)
        qtbot.waitUntil(window.properties_action.isEnabled, timeout=2000)
        window.properties_action.trigger()
        dialog = window.edits.properties_dialog
        assert dialog is not None
        dialog.fields.cookies.setText(f"sid={site.token}")
        dialog.fields.referrer.setText(site.page)
        dialog.connections.setValue(3)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: window.model.snapshot_at(0).record.connections == 3, timeout=5000)
        window.resume_action.trigger()
        assert_row_completes(qtbot, window, guarded)


@pytest.fixture
def asking_window(qtbot: QtBot, managers: Managers, tmp_path: Path) -> Iterator[MainWindow]:
    """A window on an engine that asks before a changed file throws bytes away (the app's)."""
    with shown_window(qtbot, managers(ask_before_restart=True), tmp_path) as main:
        yield main


def test_a_changed_file_asks_before_starting_over(
    qtbot: QtBot, asking_window: MainWindow, data_url: DataUrl
) -> None:
    window = asking_window
    # The probe's connection sees the old file; the second request on, a new version.
    url = data_url("&rate=2M&change_after=1")
    window.links.add_urls([url])
    qtbot.waitUntil(lambda: window.problems.dialog is not None, timeout=20_000)
    box = window.problems.dialog
    assert isinstance(box, QMessageBox)
    assert "starting over would throw away" in box.text()
    snapshot = window.model.snapshot_at(0)
    assert snapshot.state is DownloadState.FAILED
    assert snapshot.done_bytes > 0  # nothing thrown away before the answer
    assert snapshot.record.part_path is not None
    assert snapshot.record.part_path.stat().st_size >= snapshot.done_bytes
    (start_over,) = [b for b in box.buttons() if b.text() == "Start over"]
    start_over.click()
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.COMPLETED, timeout=30_000
    )
    path = window.model.snapshot_at(0).record.path
    assert path is not None
    with urllib.request.urlopen(url) as answer:  # the server's file as it is now
        assert sha256_of(path) == sha256_bytes(answer.read())


def test_a_changed_file_goes_on_from_the_old_files_new_address(
    qtbot: QtBot, asking_window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    window = asking_window
    window.links.add_urls([data_url("&rate=2M&change_after=1")])
    qtbot.waitUntil(lambda: window.problems.dialog is not None, timeout=20_000)
    box = window.problems.dialog
    assert isinstance(box, QMessageBox)
    kept = window.model.snapshot_at(0).done_bytes
    answer_next_input(data_url())  # where the file as it was is still served
    (change,) = [b for b in box.buttons() if b.text() == "Change address…"]
    change.click()
    assert_row_completes(qtbot, window, source)
    assert kept > 0


@pytest.mark.skipif(TINYPROXY is None, reason="needs Debian's tinyproxy")
def test_the_proxy_setting_applies_at_once(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path, tmp_path: Path
) -> None:
    with tinyproxy(tmp_path) as (port, log):
        window.apply_settings(
            replace(
                window.settings, proxy_mode=ProxyMode.MANUAL, proxy_url=f"http://127.0.0.1:{port}"
            )
        )
        through = data_url()
        window.links.add_urls([through])
        assert_row_completes(qtbot, window, source)
        window.apply_settings(replace(window.settings, proxy_mode=ProxyMode.NONE))
        direct = data_url()
        window.links.add_urls([direct])
        assert_row_completes(qtbot, window, source, row=1)
        carried = log.read_text()
    assert through.rpartition("key=")[2] in carried
    assert direct.rpartition("key=")[2] not in carried
