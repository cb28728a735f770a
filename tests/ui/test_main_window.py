"""The main window on the real engine: drop, paste, the Add dialog, pause and resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadState
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.ui.add_dialog import AddDialog
from gui_app.ui.download_cells import Column
from gui_app.ui.links import links_in_text, urls_from_mime
from gui_app.ui.main_window import MainWindow
from tests.engine.conftest import DataUrl
from tests.kit.files import sha256_of
from tests.ui.modal import settle
from tests.ui.opener import catching_opens
from tests.ui.rows import assert_row_completes


def drop(window: MainWindow, mime: QMimeData) -> None:
    event = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)


def test_urls_from_mime() -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://a.example/x.iso"), QUrl("file:///etc/passwd")])
    assert urls_from_mime(mime) == ["https://a.example/x.iso"]
    text = QMimeData()
    text.setText("see https://a.example/1.zip and http://b.example/2.zip, or ftp://c/3")
    assert urls_from_mime(text) == ["https://a.example/1.zip", "http://b.example/2.zip"]
    empty = QMimeData()
    empty.setText("no links here")
    assert urls_from_mime(empty) == []


def test_links_in_text_leave_the_sentence_out() -> None:
    text = (
        "Get it (https://a.example/x.iso), or https://b.example/wiki/Foo_(bar). "
        "Also: http://c.example/d?e=1; [http://d.example/f] and 'https://e.example/g'!"
    )
    assert links_in_text(text) == [
        "https://a.example/x.iso",
        "https://b.example/wiki/Foo_(bar)",  # a bracket the link opened is its own
        "http://c.example/d?e=1",
        "http://d.example/f",
        "https://e.example/g",
    ]


def test_dropping_links_queues_them(
    data_url: DataUrl,
    qtbot: QtBot,
    window: MainWindow,
    source: Path,
    tmp_path: Path,
) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl(data_url())])
    drop(window, mime)
    text = QMimeData()
    text.setText(f"two more: {data_url()} and junk")
    drop(window, text)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(
        lambda: all(window.model.snapshot_at(r).state is DownloadState.COMPLETED for r in range(2)),
        timeout=30_000,
    )
    for row in range(2):
        path = window.model.snapshot_at(row).record.path
        assert path is not None
        assert path.parent == tmp_path
        assert sha256_of(path) == sha256_of(source)


def test_a_dropped_link_already_listed_is_not_added_twice_without_asking(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    listed, fresh = (data_url() for _ in range(2))
    window.links.add_urls([listed])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    mime = QMimeData()
    mime.setUrls([QUrl(listed), QUrl(fresh), QUrl(fresh)])
    drop(window, mime)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)  # the new one, once
    offer = window.links.offer_dialog
    assert offer is not None
    assert offer.urls_edit.toPlainText() == listed
    assert "already in the list" in offer.problems.text()
    ok = offer.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    offer.add_duplicates.setChecked(True)  # the user's explicit yes
    ok.click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=5000)
    for row in range(3):
        assert_row_completes(qtbot, window, source, row=row)
    names = {window.model.snapshot_at(row).record.filename for row in range(3)}
    assert names == {"data.bin", "data (1).bin", "data (2).bin"}


def test_paste_queues_the_clipboard_urls(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow
) -> None:
    QGuiApplication.clipboard().setText(data_url())
    window.paste_action.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)


def test_add_dialog_shows_reasons_and_adds_only_good_urls(tmp_path: Path, qtbot: QtBot) -> None:
    dialog = AddDialog(tmp_path, existing_urls={"https://dup.example/a"})
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.urls_edit.setPlainText("example.com/x\nftp://h/y\nhttp:///z")
    assert not ok.isEnabled()
    problems = dialog.problems.text()
    assert "Line 1: no scheme" in problems
    assert "Line 2: unsupported scheme 'ftp'" in problems
    assert "Line 3: empty host" in problems
    dialog.urls_edit.setPlainText("https://good.example/f.iso\nhttps://dup.example/a\nnope")
    assert ok.isEnabled()
    assert "already in the list" in dialog.problems.text()
    assert [r.url for r in dialog.requests()] == ["https://good.example/f.iso"]
    dialog.add_duplicates.setChecked(True)
    assert len(dialog.requests()) == 2
    dialog.checksum_edit.setText("sha999:00")
    assert not ok.isEnabled()
    assert "Checksum:" in dialog.problems.text()


def test_pause_and_resume_through_the_toolbar(
    data_url: DataUrl, qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    window.links.add_urls([data_url("&rate=1M")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    # Some bytes first (a loaded machine may take a while), so the pause has progress to keep.
    qtbot.waitUntil(lambda: window.model.snapshot_at(0).done_bytes > 0, timeout=10_000)
    window.view.selectRow(0)
    qtbot.waitUntil(window.pause_action.isEnabled, timeout=2000)
    assert not window.resume_action.isEnabled()
    window.pause_action.trigger()
    qtbot.waitUntil(lambda: window.model.snapshot_at(0).state is DownloadState.PAUSED, timeout=2000)
    qtbot.waitUntil(window.resume_action.isEnabled, timeout=2000)
    assert not window.pause_action.isEnabled()
    done = window.model.snapshot_at(0).done_bytes
    assert 0 < done < source.stat().st_size
    window.resume_action.trigger()
    assert_row_completes(qtbot, window, source)
    assert window.open_file_action.isEnabled()


@pytest.mark.qt_log_ignore("does not support QPlatformServices")  # offscreen opens nothing
def test_double_click_opens_a_finished_file_and_says_when_it_is_gone(
    data_url: DataUrl,
    qtbot: QtBot,
    window: MainWindow,
    source: Path,
    tmp_path: Path,
) -> None:
    window.links.add_urls([data_url()])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    path = assert_row_completes(qtbot, window, source)
    cell = window.view.visualRect(window.view.model().index(0, 0)).center()

    def double_click() -> None:  # as a mouse sends it: a click, then the double-click
        qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)

    with catching_opens() as opener:
        double_click()
        window.open_folder_action.trigger()
        assert opener.opened == [QUrl.fromLocalFile(str(path)), QUrl.fromLocalFile(str(tmp_path))]
        path.rename(tmp_path / "moved.bin")
        double_click()
        assert len(opener.opened) == 2
    assert window.statusBar().currentMessage() == f"{path} is no longer there: moved or deleted"
    window.open_folder_action.trigger()  # no handler now, and offscreen has no file manager
    assert window.statusBar().currentMessage() == f"No program is set up to open {tmp_path}"


def test_details_pane_and_retry(data_url: DataUrl, qtbot: QtBot, window: MainWindow) -> None:
    window.links.add_urls([data_url("&status=503")])
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.FAILED, timeout=30_000
    )
    window.view.selectRow(0)
    text = window.details.text.text()
    assert "server error (503)" in text
    assert "Can resume" in text
    assert window.details.retry.isVisibleTo(window)
    with qtbot.waitSignal(window.bridge.download_changed, timeout=5000):
        window.details.retry.click()  # queued again; it will fail again on the same fault
    window.view.clearSelection()
    assert "Select a download" in window.details.text.text()


def test_window_layout_is_kept_across_runs(
    qtbot: QtBot, manager: DownloadManager, tmp_path: Path, store: Store
) -> None:
    first = MainWindow(manager, tmp_path, store=store)
    qtbot.addWidget(first)
    first.resize(777, 444)
    first.view.horizontalHeader().resizeSection(1, 150)
    first.close()
    second = MainWindow(manager, tmp_path, store=store)
    qtbot.addWidget(second)
    assert second.size().width() == 777
    assert second.view.horizontalHeader().sectionSize(1) == 150
    second.close()


def test_tools_menu_shares_a_folder_and_stops(
    qtbot: QtBot, window: MainWindow, source: Path
) -> None:
    import httpx

    with qtbot.waitSignal(window.sharing.sharing_started, timeout=10_000) as started:
        window.sharing.share(source.parent)
    address = started.args[0]
    assert address.startswith("http://127.0.0.1:")
    assert window.sharing.address == address
    assert window.stop_sharing_action.isEnabled()
    assert address in window.sharing_label.text()
    response = httpx.get(f"{address}/files/data.bin", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response.content == source.read_bytes()[:10]
    with qtbot.waitSignal(window.sharing.sharing_stopped, timeout=5000):
        window.stop_sharing_action.trigger()
    qtbot.waitUntil(lambda: not window.stop_sharing_action.isEnabled(), timeout=2000)
    settle(qtbot, window)  # the server's stop runs on the command thread

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{address}/files/data.bin", timeout=2)


def test_toolbar_actions_have_their_icons(window: MainWindow) -> None:
    for action in (
        window.add_action,
        window.resume_action,
        window.pause_action,
        window.pause_all_action,
        window.resume_all_action,
        window.remove_action,
        window.open_folder_action,
        window.settings_action,
    ):
        assert not action.icon().isNull(), action.text()


def test_every_default_column_is_in_view_at_the_default_size(
    qtbot: QtBot, window: MainWindow
) -> None:
    """At first start the Status column used to be off the right edge, with a scrollbar
    on an empty list (issue 25, item 2)."""
    assert (window.width(), window.height()) == (1100, 680)
    header = window.view.horizontalHeader()
    qtbot.waitUntil(lambda: header.length() > 0)
    status = Column.STATUS
    right_edge = header.sectionPosition(status) + header.sectionSize(status)
    assert right_edge <= window.view.viewport().width()
    assert not window.view.horizontalScrollBar().isVisible()
    assert header.sectionSize(Column.NAME) >= 150  # the name still has room to be read
