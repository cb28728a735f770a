"""Categories with their own folders: downloads handed over land in their category's
folder, decided by the name the server gives (a link without an extension that turns out
to be a .zip is an archive); a folder chosen in the Add dialog wins; with sorting off,
everything goes to the download folder. Files SHA-256 equal to what was served."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui_app.app.categories import DEFAULT_CATEGORIES, category_of
from gui_app.engine import OTHER, Category, CategoryFolders
from gui_app.engine.api.models import DownloadState
from gui_app.ui.main_window import MainWindow
from tests.kit.files import sha256_bytes, sha256_of
from tests.kit.hostile import HostileServer, Out, Request, hostile_server, serve_file
from tests.ui.rows import sidebar_texts

DATA = random.Random(4).randbytes(300_000)


@pytest.mark.parametrize(
    ("name", "url", "category"),
    [
        ("a.MP4", "http://h/a.MP4", "Video"),
        ("b.tar.gz", "http://h/b", "Archives"),
        ("c", "http://h/get?id=1", OTHER),
        ("d.iso", "http://h/d.iso", "Programs"),
        ("notes.PDF", "http://h/x", "Documents"),
    ],
)
def test_a_name_has_one_category(name: str, url: str, category: str) -> None:
    assert category_of(name, url, DEFAULT_CATEGORIES) == category


def test_url_patterns_and_own_folders() -> None:
    mine = Category("Mirror", (), ("*://mirror.example/*",), "/srv/mirror")
    rule = CategoryFolders(Path("/dl"), (mine, *DEFAULT_CATEGORIES))
    assert rule.folder_for("x.bin", "https://mirror.example/x.bin") == Path("/srv/mirror")
    assert rule.folder_for("x.zip", "https://other/x.zip") == Path("/dl/Archives")
    assert rule.folder_for("x.bin", "https://other/x.bin") == Path("/dl")
    with pytest.raises(ValueError, match="a category's name"):
        Category("a/b")


@pytest.mark.parametrize(
    ("name", "folder", "words"),
    [
        (".", None, "cannot be called"),
        ("..", None, "cannot be called"),
        (" .. ", None, "cannot be called"),
        ("Mine", "relative/dir", "full path"),
        ("Mine", "..", "full path"),
    ],
)
def test_a_category_never_leaves_the_download_folder_by_its_name_or_folder(
    name: str, folder: str | None, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        Category(name, ("bin",), (), folder)


def test_a_home_folder_is_made_absolute_when_entered() -> None:
    assert Category("Mine", folder="~/mine").folder == str(Path.home() / "mine")


def test_a_saved_category_no_longer_accepted_is_left_out_and_the_rest_kept() -> None:
    from gui_app.app.settings import SETTINGS_KEY, Settings

    class Saved:  # the one call Settings.load makes of its store
        def get_setting(self, key: str) -> str | None:
            assert key == SETTINGS_KEY
            return json.dumps(
                {
                    "max_concurrent": 5,
                    "categories": [
                        {"name": "..", "extensions": ["bin"], "patterns": [], "folder": None},
                        {"name": "Rel", "extensions": ["iso"], "patterns": [], "folder": "rel/dir"},
                        {"name": "Fine", "extensions": ["zip"], "patterns": [], "folder": None},
                    ],
                }
            )

    settings = Settings.load(Saved(), Path("/dl"))  # type: ignore[arg-type]  # a stand-in store
    assert settings.max_concurrent == 5
    assert [c.name for c in settings.categories] == ["Fine"]


@pytest.fixture
def site() -> Iterator[HostileServer]:
    """``/<name>`` serves DATA; ``/get`` serves it named by Content-Disposition only."""

    def handler(request: Request, o: Out) -> None:
        extra = {"Content-Disposition": 'attachment; filename="bundle.zip"'}
        serve_file(request, o, DATA, extra=extra if request.target.startswith("/get") else None)

    with hostile_server(handler) as server:
        yield server


def wait_done(qtbot: QtBot, window: MainWindow, count: int) -> list[Path]:
    qtbot.waitUntil(lambda: window.model.rowCount() == count, timeout=5000)
    qtbot.waitUntil(
        lambda: all(s.state is DownloadState.COMPLETED for s in window.model.snapshots()),
        timeout=30_000,
    )
    paths = [s.record.path for s in window.model.snapshots()]
    assert all(p is not None and sha256_of(p) == sha256_bytes(DATA) for p in paths)
    return [p for p in paths if p is not None]


def test_handed_over_links_land_in_their_category_folders(
    qtbot: QtBot, window: MainWindow, site: HostileServer, tmp_path: Path
) -> None:
    window.links.add_urls([f"{site.url}/film.mp4", f"{site.url}/get?id=7", f"{site.url}/data.bin"])
    paths = wait_done(qtbot, window, 3)
    assert sorted(paths) == sorted(
        [
            tmp_path / "Video" / "film.mp4",
            tmp_path / "Archives" / "bundle.zip",
            tmp_path / "data.bin",
        ]
    )


def test_a_folder_chosen_in_the_add_dialog_wins(
    qtbot: QtBot, window: MainWindow, site: HostileServer, tmp_path: Path
) -> None:
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    window.links.offer_urls([f"{site.url}/film.mp4"])
    dialog = window.links.offer_dialog
    assert dialog is not None
    dialog.folder_edit.setText(str(chosen))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert wait_done(qtbot, window, 1) == [chosen / "film.mp4"]


def test_sorting_into_folders_can_be_turned_off(
    qtbot: QtBot, window: MainWindow, site: HostileServer, tmp_path: Path
) -> None:
    window.apply_settings(replace(window.settings, sort_into_folders=False), save=False)
    window.links.add_urls([f"{site.url}/film.mp4"])
    assert wait_done(qtbot, window, 1) == [tmp_path / "film.mp4"]


def test_categories_are_edited_in_settings(
    qtbot: QtBot, window: MainWindow, site: HostileServer, tmp_path: Path
) -> None:
    window.settings_action.trigger()
    settings = window.preferences.dialog
    assert settings is not None
    panel = settings.categories_panel
    settings.tabs.setCurrentWidget(panel)
    panel.add_button.click()
    dialog = panel.dialog
    assert dialog is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.name.setText("video")
    assert "there is a category video already" in dialog.problem.text()
    dialog.name.setText("Films")
    dialog.extensions.setText("mp4 MKV")
    dialog.folder.setText(str(tmp_path / "films"))
    assert ok.isEnabled()
    ok.click()
    panel.table.selectRow(0)  # Video: it would take .mp4 first
    panel.remove_button.click()
    settings.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert [c.name for c in window.settings.categories][-1] == "Films"
    assert "Video" not in [c.name for c in window.settings.categories]
    qtbot.waitUntil(lambda: "Films (0)" in sidebar_texts(window), timeout=2000)
    assert not any(text.startswith("Video") for text in sidebar_texts(window))
    window.links.add_urls([f"{site.url}/film.mp4"])
    assert wait_done(qtbot, window, 1) == [tmp_path / "films" / "film.mp4"]
    qtbot.waitUntil(lambda: "Films (1)" in sidebar_texts(window), timeout=2000)


categories = st.lists(
    st.builds(
        Category,
        st.sampled_from(["A", "B", "C", "D"]),
        st.lists(st.sampled_from(["zip", "mp4", "iso", "txt"]), max_size=2).map(tuple),
        st.lists(st.sampled_from(["*://a/*", "*x*", "http://*"]), max_size=1).map(tuple),
    ),
    max_size=4,
)


@given(
    categories,
    st.sampled_from(["f.zip", "f.MP4", "f", ".iso", "a.b.txt"]),
    st.sampled_from(["http://a/f", "https://b/x", "ftp://c/"]),
)
def test_the_fast_lookup_agrees_with_the_rule(
    given_categories: list[Category], name: str, url: str
) -> None:
    """The first category that takes the name or the URL, as the rule says in words."""
    expected = next((c.name for c in given_categories if c.takes(name, url)), OTHER)
    assert category_of(name, url, given_categories) == expected


def test_a_paused_downloads_category_can_change(
    qtbot: QtBot, window: MainWindow, site: HostileServer, tmp_path: Path
) -> None:
    window.links.add_urls([f"{site.url}/film.mp4"], start_paused=True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.view.selectRow(0)
    menu = window.category_menu
    menu.aboutToShow.emit()
    (archives,) = [a for a in menu.actions() if a.text() == "Archives"]
    assert archives.isEnabled()
    archives.trigger()
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).record.dest_dir == tmp_path / "Archives", timeout=5000
    )
    window.resume_action.trigger()
    assert wait_done(qtbot, window, 1) == [tmp_path / "Archives" / "film.mp4"]
