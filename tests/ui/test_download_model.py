"""The table model over real engine snapshots: Qt's model checks, rows, and refreshes."""

from __future__ import annotations

import threading
from itertools import pairwise
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QModelRoleData, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from gui_app.engine.api.models import DownloadId, DownloadRequest, DownloadState, Request
from gui_app.engine.api.record import DownloadRecord, DownloadSnapshot
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.server.runner import ServerThread
from gui_app.ui.bridge import EngineBridge
from gui_app.ui.download_cells import Column
from gui_app.ui.download_model import SNAPSHOT_ROLE, DownloadModel, row_runs
from tests.engine.conftest import DataUrl


def test_model_follows_the_engine(
    data_url: DataUrl,
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    manager: DownloadManager,
    tmp_path: Path,
) -> None:
    bridge = EngineBridge(manager.subscribe)
    model = DownloadModel(manager, bridge, interval_ms=50)
    qtmodeltester.check(model)
    assert model.rowCount() == 0
    url = data_url("&rate=2M")
    with qtbot.waitSignal(model.rowsInserted, timeout=5000):
        download_id = manager.add(DownloadRequest(url, tmp_path, connections=2))
    assert model.rowCount() == 1
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.dataChanged, timeout=5000):
        pass
    qtbot.waitUntil(lambda: model.snapshot_at(0).state is DownloadState.COMPLETED, timeout=20_000)
    index = model.index(0, Column.NAME)
    assert model.data(index) == "data.bin"
    assert model.data(model.index(0, Column.PROGRESS)) == "100.0%"
    assert model.data(index, SNAPSHOT_ROLE).id == download_id
    assert model.headerData(Column.ETA, Qt.Orientation.Horizontal) == "Time left"
    with qtbot.waitSignal(model.rowsRemoved, timeout=5000):
        manager.remove(download_id)
    assert model.rowCount() == 0
    qtmodeltester.check(model)
    model.stop()
    bridge.detach()


def test_only_changed_rows_are_signalled(
    qtbot: QtBot, manager: DownloadManager, server: ServerThread, tmp_path: Path
) -> None:
    bridge = EngineBridge(manager.subscribe)
    paused = [
        manager.add(
            DownloadRequest(f"{server.url}/files/data.bin?key={i}", tmp_path, start_paused=True)
        )
        for i in range(3)
    ]
    model = DownloadModel(manager, bridge, interval_ms=10_000)
    assert model.rowCount() == 3
    changed: list[int] = []
    model.dataChanged.connect(
        lambda top, bottom: changed.extend(range(top.row(), bottom.row() + 1))
    )
    model.refresh()
    assert changed == []  # nothing moved: no repaint at all
    manager.resume(paused[1])
    qtbot.waitUntil(lambda: state_of(manager, paused[1]) is DownloadState.COMPLETED, timeout=20_000)
    model.refresh()
    assert set(changed) == {1}
    model.stop()
    bridge.detach()


@given(st.sets(st.integers(min_value=0, max_value=200)))
def test_row_runs_cover_exactly_the_rows(rows: set[int]) -> None:
    runs = row_runs(rows)
    covered = [row for first, last in runs for row in range(first, last + 1)]
    assert covered == sorted(rows)  # every row once, in order, nothing else
    for (_, last), (first, _) in pairwise(runs):
        assert first > last + 1  # adjacent runs would have been one


def test_multi_data_answers_as_data_does(
    qtbot: QtBot, manager: DownloadManager, server: ServerThread, tmp_path: Path
) -> None:
    bridge = EngineBridge(manager.subscribe)
    manager.add(DownloadRequest(f"{server.url}/files/data.bin?key=md", tmp_path, start_paused=True))
    model = DownloadModel(manager, bridge, interval_ms=10_000)
    role = Qt.ItemDataRole
    roles = [
        role.DisplayRole,
        role.ToolTipRole,
        role.TextAlignmentRole,
        role.DecorationRole,
        SNAPSHOT_ROLE,
    ]
    answered = 0
    for column in Column:
        index = model.index(0, column)
        for asked in roles:
            role_data = QModelRoleData(asked)
            model.multiData(index, role_data)
            assert role_data.data() == model.data(index, asked), (column, asked)
            answered += role_data.data() is not None
    assert answered >= len(Column) + 2  # display text everywhere, tooltips, the snapshot
    model.stop()
    bridge.detach()


def test_a_download_the_server_never_named_shows_the_urls_name(
    qtbot: QtBot, manager: DownloadManager, server: ServerThread, tmp_path: Path
) -> None:
    bridge = EngineBridge(manager.subscribe)
    model = DownloadModel(manager, bridge, interval_ms=50)
    with qtbot.waitSignal(model.rowsInserted, timeout=5000):
        manager.add(DownloadRequest(f"{server.url}/files/no%20such%3Creport.pdf?t=1", tmp_path))
    qtbot.waitUntil(lambda: model.snapshot_at(0).state is DownloadState.FAILED, timeout=10_000)
    assert model.snapshot_at(0).record.filename is None
    # Percent-decoded and made safe as a file name, as the file would have been named.
    assert model.data(model.index(0, Column.NAME)) == "no such_report.pdf"
    assert "404" in model.data(model.index(0, Column.STATUS))
    model.stop()
    bridge.detach()


def test_a_url_without_a_file_name_shows_the_url_without_secrets() -> None:
    record = DownloadRecord(
        DownloadId(1), Request("https://user:hunter2@example.com/", Path("/tmp"))
    )
    name = record.display_name
    assert "example.com" in name
    assert "hunter2" not in name


def state_of(manager: DownloadManager, download_id: DownloadId) -> DownloadState | None:
    snapshot = manager.get(download_id)
    return None if snapshot is None else snapshot.state


class CountingSource:
    """The manager, counting how often the poller asks it for running snapshots."""

    def __init__(self, manager: DownloadManager) -> None:
        self.manager = manager
        self.polls = 0

    def snapshot(self) -> tuple[DownloadSnapshot, ...]:
        return self.manager.snapshot()

    def active_snapshot(self) -> tuple[DownloadSnapshot, ...]:
        self.polls += 1
        return self.manager.active_snapshot()


def pollers() -> int:
    return sum(t.name == "rangeload-ui-poll" for t in threading.enumerate())


def test_the_poller_sleeps_while_nothing_runs(
    data_url: DataUrl, qtbot: QtBot, manager: DownloadManager, tmp_path: Path
) -> None:
    before = pollers()
    source = CountingSource(manager)
    bridge = EngineBridge(manager.subscribe)
    model = DownloadModel(source, bridge, interval_ms=20)
    qtbot.wait(300)
    assert not model.polling
    assert source.polls == 0  # before: five polls a second for ever
    url = data_url("&rate=1M")
    manager.add(DownloadRequest(url, tmp_path, connections=1))
    qtbot.waitUntil(lambda: model.polling, timeout=5000)
    qtbot.waitUntil(lambda: source.polls >= 5, timeout=5000)
    qtbot.waitUntil(lambda: model.snapshot_at(0).state is DownloadState.COMPLETED, timeout=20_000)
    assert not model.polling
    qtbot.wait(100)
    polls = source.polls
    qtbot.wait(300)
    assert source.polls == polls
    model.stop()
    assert pollers() == before  # stopped means ended, not just told to
    bridge.detach()
