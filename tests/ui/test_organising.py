"""Organising the list: the sidebar's states and categories with live counts, the search
box, sorting by a clicked header, and Remove completed. The counts, the search and the
sort are logic on the rows: they run on the fake engine (tests/kit/fake_engine.py), given
the rows a real run leaves; what touches files runs the real engine and server, every
finished file SHA-256 equal to its source. The filter passes qtmodeltester."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadId, DownloadState
from gui_app.engine.api.record import DownloadRecord
from gui_app.ground.byteranges import ByteRange
from gui_app.server.runner import ServerThread
from gui_app.ui.download_cells import Column
from gui_app.ui.download_filter import StateGroup
from gui_app.ui.main_window import MainWindow
from gui_app.ui.tray import tray_for
from tests.engine.conftest import DataUrl
from tests.kit.fake_engine import FakeEngine
from tests.kit.files import make_file, sha256_of
from tests.kit.records import a_record, moved_on
from tests.kit.servers import serving
from tests.ui.conftest import shown_window
from tests.ui.modal import press_shortcut, settle
from tests.ui.rows import sidebar_texts

FILES = {"video.mp4": 300_000, "backup.zip": 200_000, "notes.pdf": 100_000}


def shelf_folder(window: MainWindow) -> Path:
    """The folder the shelf serves: beside the window's download folder."""
    return window.download_dir / "shelf"


@pytest.fixture
def shelf(tmp_path: Path) -> Iterator[ServerThread]:
    folder = tmp_path / "shelf"  # the window downloads into tmp_path
    for seed, (name, size) in enumerate(FILES.items()):
        make_file(folder / name, size, seed=seed)
    with serving(folder) as server:
        yield server


def shown_names(window: MainWindow) -> list[str]:
    shown = window.panel.filter
    return [shown.snapshot_at(row).record.display_name for row in range(shown.rowCount())]


def fill(qtbot: QtBot, window: MainWindow, shelf: ServerThread) -> None:
    """Three finished downloads, one failed (404), one paused."""
    window.links.add_urls([f"{shelf.url}/files/{name}" for name in FILES])
    window.links.add_urls([f"{shelf.url}/files/missing.iso"])
    window.links.add_urls([f"{shelf.url}/files/video.mp4?later"], start_paused=True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5, timeout=10_000)
    done = {DownloadState.COMPLETED, DownloadState.FAILED, DownloadState.PAUSED}
    qtbot.waitUntil(lambda: {s.state for s in window.model.snapshots()} <= done, timeout=30_000)
    for snapshot in window.model.snapshots():
        if snapshot.state is DownloadState.COMPLETED:
            assert snapshot.record.path is not None
            source = shelf_folder(window) / snapshot.record.display_name
            assert sha256_of(snapshot.record.path) == sha256_of(source)


SHELF = "http://shelf.example/files/"


@pytest.fixture
def organised(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[MainWindow, FakeEngine]]:
    """A window on the rows ``fill`` leaves, held by the fake engine: three finished, one
    failed (404), one paused that was never asked (no name, no size yet)."""
    finished = [
        a_record(
            n,
            SHELF + name,
            tmp_path,
            DownloadState.COMPLETED,
            filename=name,
            size=size,
            done=(ByteRange(0, size - 1),),
        )
        for n, (name, size) in enumerate(FILES.items(), start=1)
    ]
    failed = a_record(
        4,
        SHELF + "missing.iso",
        tmp_path,
        DownloadState.FAILED,
        error="not found (404)",
    )
    paused = a_record(5, SHELF + "video.mp4?later", tmp_path, DownloadState.PAUSED)
    engine = FakeEngine([*finished, failed, paused])
    with shown_window(qtbot, engine, tmp_path) as main:
        yield main, engine


def test_the_sidebar_counts_and_filters(
    qtbot: QtBot, organised: tuple[MainWindow, FakeEngine], qtmodeltester: ModelTester
) -> None:
    window, engine = organised
    qtbot.waitUntil(lambda: "Completed (3)" in sidebar_texts(window), timeout=2000)
    assert {
        "All (5)",
        "Active (0)",
        "Queued (0)",
        "Paused (1)",
        "Completed (3)",
        "Failed (1)",
        "Video (2)",
        "Archives (1)",
        "Documents (1)",
        "Programs (1)",
        "Music (0)",
        "Other (0)",
    } <= sidebar_texts(window)
    window.panel.sidebar.choose(StateGroup.FAILED)
    assert shown_names(window) == ["missing.iso"]
    qtmodeltester.check(window.panel.filter)
    window.panel.sidebar.choose("Video")
    assert sorted(shown_names(window)) == ["video.mp4", "video.mp4"]
    window.panel.sidebar.choose(StateGroup.ALL)
    assert len(shown_names(window)) == 5
    qtmodeltester.check(window.panel.filter)

    # A state change moves a row between groups: the paused one resumes and completes.
    window.panel.sidebar.choose(StateGroup.PAUSED)
    window.view.selectRow(0)
    window.resume_action.trigger()
    qtbot.waitUntil(lambda: engine.called("resume") == [(DownloadId(5),)], timeout=5000)
    qtbot.waitUntil(lambda: shown_names(window) == [], timeout=5000)  # queued: not paused
    resumed = engine.get(DownloadId(5))
    assert resumed is not None
    engine.put(
        moved_on(
            resumed.record,
            DownloadState.COMPLETED,
            filename="video.mp4",
            size=300_000,
            done=(ByteRange(0, 299_999),),
        )
    )
    qtbot.waitUntil(lambda: "Completed (4)" in sidebar_texts(window), timeout=2000)
    assert "Paused (0)" in sidebar_texts(window)


def test_search_narrows_and_widens_and_headers_sort(
    qtbot: QtBot, organised: tuple[MainWindow, FakeEngine]
) -> None:
    window, _ = organised
    press_shortcut(window, window.search_action.shortcut())
    assert window.panel.search.hasFocus()
    QTest.keyClicks(window.panel.search, "ZIP")
    assert shown_names(window) == ["backup.zip"]
    window.panel.search.setText("later")  # in the address, not the name
    assert shown_names(window) == ["video.mp4"]
    window.panel.search.clear()
    assert len(shown_names(window)) == 5
    header = window.view.horizontalHeader()
    size_header = QPoint(header.sectionViewportPosition(Column.SIZE) + 10, header.height() // 2)
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=size_header)
    sizes = [window.panel.filter.snapshot_at(r).record.size or -1 for r in range(5)]
    assert sizes == sorted(sizes)  # the failed one's unknown size first
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=size_header)
    sizes = [window.panel.filter.snapshot_at(r).record.size or -1 for r in range(5)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[:3] == [300_000, 200_000, 100_000]  # the paused one was never asked
    window.view.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert shown_names(window)[:2] == ["backup.zip", "missing.iso"]
    # Selection follows the rows, whatever the order: the first row shown is the one acted on.
    window.view.selectRow(0)
    assert [s.record.display_name for s in window.selected_snapshots()] == ["backup.zip"]


def test_remove_completed_keeps_their_files(
    qtbot: QtBot, window: MainWindow, shelf: ServerThread
) -> None:
    fill(qtbot, window, shelf)
    paths = [s.record.path for s in window.model.snapshots() if s.state is DownloadState.COMPLETED]
    window.remove_completed_action.trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10_000)
    settle(qtbot, window)
    assert {s.state for s in window.model.snapshots()} == {
        DownloadState.FAILED,
        DownloadState.PAUSED,
    }
    assert all(p is not None and p.exists() for p in paths)
    assert "Removed 3 completed downloads" in window.statusBar().currentMessage()


def test_moving_a_queued_download_to_the_top_starts_it_next(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    window.apply_settings(replace(window.settings, max_concurrent=1))
    urls = [data_url("&rate=3M"), data_url(), data_url()]
    window.links.add_urls(urls)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.RUNNING, timeout=10_000
    )
    last = window.model.snapshot_at(2).id
    window.view.selectRow(2)  # shown in the queue's order: the last added is last
    assert [s.id for s in window.selected_snapshots()] == [last]
    press_shortcut(window, window.queue.actions[0].shortcut())  # Move to top
    qtbot.waitUntil(lambda: window.panel.filter.snapshot_at(0).id == last, timeout=5000)
    started: list[int] = []
    window.bridge.download_changed.connect(partial(note_start, started))
    qtbot.waitUntil(
        lambda: all(s.state is DownloadState.COMPLETED for s in window.model.snapshots()),
        timeout=30_000,
    )
    assert started[0] == last  # the next to start after the running one
    for snapshot in window.model.snapshots():
        assert snapshot.record.path is not None
        assert sha256_of(snapshot.record.path) == sha256_of(source)


def drag_rows(window: MainWindow, rows: list[int], onto: int) -> bool:
    """Drag the view's ``rows`` and drop them onto row ``onto``, as the mouse would:
    enter, move and drop on the table's viewport. Whether the drop was taken."""
    shown = window.panel.filter
    mime = shown.mimeData([shown.index(row, 0) for row in rows])
    viewport = window.view.viewport()
    at = window.view.visualRect(shown.index(onto, Column.NAME)).center().toPointF()
    action, button = Qt.DropAction.MoveAction, Qt.MouseButton.LeftButton
    no_keys = Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at.toPoint(), action, mime, button, no_keys)
    QApplication.sendEvent(viewport, enter)
    move = QDragMoveEvent(at.toPoint(), action, mime, button, no_keys)
    QApplication.sendEvent(viewport, move)
    drop = QDropEvent(at, action, mime, button, no_keys)
    QApplication.sendEvent(viewport, drop)
    return enter.isAccepted() and drop.isAccepted()


def test_dragging_rows_reorders_the_queue_and_the_next_to_start(
    qtbot: QtBot, window: MainWindow, data_url: DataUrl, source: Path
) -> None:
    window.apply_settings(replace(window.settings, max_concurrent=1))
    window.links.add_urls([data_url("&rate=3M"), data_url(), data_url(), data_url()])
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=5000)
    qtbot.waitUntil(
        lambda: window.model.snapshot_at(0).state is DownloadState.RUNNING, timeout=10_000
    )
    ids = [window.panel.filter.snapshot_at(row).id for row in range(4)]
    # Sorted by a column, the rows cannot be dragged: "before that row" means nothing.
    window.view.sortByColumn(Column.SIZE, Qt.SortOrder.AscendingOrder)
    assert not window.panel.filter.flags(window.panel.filter.index(0, 0)) & (
        Qt.ItemFlag.ItemIsDragEnabled
    )
    window.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert drag_rows(window, [2, 3], onto=1)  # the last two, dropped on the second
    wanted = [ids[0], ids[2], ids[3], ids[1]]
    qtbot.waitUntil(
        lambda: [window.panel.filter.snapshot_at(r).id for r in range(4)] == wanted, timeout=5000
    )
    started: list[int] = []
    window.bridge.download_changed.connect(partial(note_start, started))
    qtbot.waitUntil(
        lambda: all(s.state is DownloadState.COMPLETED for s in window.model.snapshots()),
        timeout=30_000,
    )
    assert started == wanted[1:]
    for snapshot in window.model.snapshots():
        assert snapshot.record.path is not None
        assert sha256_of(snapshot.record.path) == sha256_of(source)


def test_links_dragged_over_the_table_still_reach_the_window(window: MainWindow) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.org/a.iso")])
    at = window.view.viewport().rect().center()
    enter = QDragEnterEvent(
        at,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window.view.viewport(), enter)
    assert enter.isAccepted()  # by the window, whose hint now shows
    assert window.drops.hint.isVisible()
    window.drops.leave()


def note_start(started: list[int], record: DownloadRecord) -> None:
    """A download's first change to running is its start (later ones are its progress)."""
    if record.state is DownloadState.RUNNING and record.id not in started:
        started.append(record.id)


def test_an_end_is_announced_once_however_often_it_is_told(
    qtbot: QtBot, organised: tuple[MainWindow, FakeEngine]
) -> None:
    """One DownloadChanged for every change: the model tells a download's end (completed,
    failed) once, so the tray says it once and the problem desk asks once."""
    window, engine = organised
    finished: list[tuple[int, DownloadState]] = []
    window.model.download_finished.connect(lambda r: finished.append((r.id, r.state)))
    sent: list[tuple[str, str]] = []
    tray = tray_for(window)
    tray.notification_sent.connect(lambda title, message: sent.append((title, message)))
    row = window.model.row_of(5)
    assert row is not None
    running = moved_on(window.model.snapshot_at(row).record, DownloadState.RUNNING)
    engine.put(running)
    stopped = moved_on(running, DownloadState.FAILED)
    failed = replace(stopped, status=replace(stopped.status, error="server error (503)"))
    engine.put(failed)
    engine.put(failed)  # told again (a retry that fails the same way before a new state)
    done = moved_on(
        failed, DownloadState.COMPLETED, filename="video.mp4", size=4, done=(ByteRange(0, 3),)
    )
    engine.put(moved_on(failed, DownloadState.QUEUED))
    engine.put(done)
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=5000)
    qtbot.wait(50)  # anything queued behind them is delivered too
    assert finished == [(5, DownloadState.FAILED), (5, DownloadState.COMPLETED)]
    assert [title for title, _ in sent] == ["Download failed", "Download complete"]


def test_copy_address_puts_the_selected_links_on_the_clipboard(
    qtbot: QtBot, organised: tuple[MainWindow, FakeEngine]
) -> None:
    """As IDM's and FDM's context menus do (issue 25, item 6): one link per line, the
    engine not asked; Ctrl+C in the list does the same."""
    window, _ = organised
    window.view.selectAll()
    assert window.copy_address_action.isEnabled()
    window.copy_address_action.trigger()
    copied = QApplication.clipboard().text().splitlines()
    assert sorted(copied) == sorted(s.record.url for s in window.model.snapshots())
    assert window.statusBar().currentMessage() == f"Copied {len(copied)} addresses"
    window.view.clearSelection()
    assert not window.copy_address_action.isEnabled()


def test_change_address_opens_with_the_current_address(
    qtbot: QtBot, organised: tuple[MainWindow, FakeEngine]
) -> None:
    """Ready to edit an expired token, not an empty box (issue 25, item 6)."""
    window, _ = organised
    row = window.model.row_of(4)  # the failed one
    assert row is not None
    snapshot = window.model.snapshot_at(row)
    seen: list[str] = []

    def look_and_cancel() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            QTimer.singleShot(20, look_and_cancel)
            return
        seen.append(box.textValue())
        box.reject()

    QTimer.singleShot(20, look_and_cancel)
    window.edits.change_address(snapshot)
    assert seen == [SHELF + "missing.iso"]
