"""Per-site settings in the app: a site added in Settings gives its downloads its
connections and user agent; a login given after a 401, remembered for the site, goes with
the site's next download without another question. Real engine, a real guarded site;
files SHA-256 equal; the store's fallback holds the password (no desktop keyring here),
and the download's row only a reference to it, which the engine resolves when a 401 asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui_app.app.sites import Site, SiteBook
from gui_app.engine.api.models import Login
from gui_app.engine.disk.store import Store
from gui_app.ui.main_window import MainWindow
from gui_app.ui.problems import LoginDialog
from tests.engine.conftest import Managers
from tests.kit.files import make_file
from tests.kit.guarded_site import guarded_site
from tests.ui.conftest import shown_window
from tests.ui.rows import assert_row_completes

UA = "SiteAgent/2.0"


@pytest.fixture
def guarded(tmp_path: Path) -> Path:
    return make_file(tmp_path / "site" / "guarded.bin", (1 << 20) + 5, seed=9)


@pytest.fixture
def booked_window(
    qtbot: QtBot, managers: Managers, tmp_path: Path, store: Store
) -> Iterator[MainWindow]:
    """A window with a store, hence a site book, which the engine asks for passwords."""
    manager = managers(passwords=SiteBook(store).password_for)
    with shown_window(qtbot, manager, tmp_path, store) as main:
        qtbot.waitUntil(lambda: main.preferences.passwords_go != "", timeout=5000)
        yield main


def test_a_site_added_in_settings_shapes_its_downloads(
    qtbot: QtBot, booked_window: MainWindow, guarded: Path
) -> None:
    window = booked_window
    window.settings_action.trigger()
    settings = window.preferences.dialog
    assert settings is not None
    panel = settings.sites_panel
    settings.tabs.setCurrentWidget(panel)
    assert panel.isVisibleTo(settings)
    assert "readable by you only" in panel.where.text()
    panel.add_button.click()
    site_dialog = panel.dialog
    assert site_dialog is not None
    with guarded_site(guarded, user_agent=UA, cookie=False) as site:
        origin = site.url.rstrip("/")  # http://127.0.0.1:PORT
        site_dialog.host.setText("ftp://127.0.0.1")
        assert "a site is an origin" in site_dialog.problem.text()
        site_dialog.host.setText(f"{origin}/")  # written as an origin when kept
        site_dialog.connections.setValue(2)
        site_dialog.user_agent.setText(UA)
        site_dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        item = panel.table.item(0, 0)
        assert item is not None
        assert item.text() == origin
        settings.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert window.site_book is not None
        book = window.site_book
        qtbot.waitUntil(lambda: book.get(origin) is not None, timeout=5000)
        assert book.get(origin) == Site(origin, connections=2, user_agent=UA)
        window.links.add_urls([site.file_url])
        assert_row_completes(qtbot, window, guarded)
        assert site.refused == []  # the site's user agent went with it
    assert window.model.snapshot_at(0).record.connections == 2


def test_a_remembered_login_goes_with_the_sites_next_download(
    qtbot: QtBot, booked_window: MainWindow, guarded: Path
) -> None:
    window = booked_window
    with guarded_site(guarded, login=("ann", "pw-3"), cookie=False) as site:
        window.links.add_urls([site.file_url])
        qtbot.waitUntil(lambda: window.problems.dialog is not None, timeout=20_000)
        dialog = window.problems.dialog
        assert isinstance(dialog, LoginDialog)
        assert dialog.remember.isChecked()
        origin = site.url.rstrip("/")
        assert dialog.remember.text() == f"Remember this login for {origin}"
        dialog.user.setText("ann")
        dialog.password.setText("pw-3")
        dialog.accept()
        assert_row_completes(qtbot, window, guarded)
        assert window.site_book is not None
        book = window.site_book
        qtbot.waitUntil(lambda: book.login_for(origin) is not None, timeout=5000)
        window.links.add_urls([site.file_url + "?again"])
        assert_row_completes(qtbot, window, guarded, row=1)
        assert window.problems.dialog is None
        for row in (0, 1):  # a reference, resolved by the engine when the 401 asked
            assert window.model.snapshot_at(row).record.login == Login("ann", site=origin)
        assert site.challenges == ["basic"]  # only the first download's first request


def test_properties_keep_a_saved_logins_reference_and_the_cookies(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from gui_app.engine.api.cookies import Cookie
    from gui_app.engine.api.models import DownloadState, Request
    from gui_app.engine.api.record import DownloadRecord, Status
    from gui_app.ui.properties_dialog import PropertiesDialog

    reference = Login("ann", site="https://h.example")
    jar = (Cookie("sid", "v", "h.example"),)
    request = Request("https://h.example/f", tmp_path, login=reference, cookies=jar)
    record = DownloadRecord(1, request, status=Status(DownloadState.FAILED))
    dialog = PropertiesDialog(record)
    qtbot.addWidget(dialog)
    assert dialog.fields.password.text() == ""  # the password is the site book's
    assert (dialog.options().login, dialog.options().cookies) == (reference, jar)
    dialog.fields.password.setText("typed-now")
    assert dialog.options().login == Login("ann", "typed-now")
