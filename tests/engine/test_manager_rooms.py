"""The manager's rooms on their own: a download's one situation, the ready queue's order,
name claims under a race, and the disk watch that resumes what a full disk paused."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import cast

from gui_app.engine.api.models import DownloadState, PauseReason
from gui_app.engine.api.record import DownloadRecord
from gui_app.engine.download.task import DownloadTask
from gui_app.engine.manager.disk_watch import DiskWatch
from gui_app.engine.manager.name_claims import NameClaims
from gui_app.engine.manager.queue_order import ReadyQueue
from gui_app.engine.manager.record_table import RecordTable
from gui_app.engine.manager.situations import Situation, Situations
from tests.kit.records import a_record
from tests.kit.waiting import wait_until


class _Task:
    """Stands in for a DownloadTask: the table only keeps and compares it."""


def test_a_download_has_one_situation_at_a_time() -> None:
    table = Situations()
    first, second = cast(DownloadTask, _Task()), cast(DownloadTask, _Task())
    table.hold(1)
    assert table.of(1) is Situation.HELD
    assert table.kept(1)
    assert table.task(1) is None
    table.release(1)
    assert table.of(1) is None
    assert not table.kept(1)
    table.run(1, first)
    table.hold(1)  # a running download is never made held
    assert table.running(1) is first
    table.leave(1)
    assert table.of(1) is Situation.LEAVING
    assert table.running(1) is None
    assert table.task(1) is first  # still to wait for, to stop at shutdown
    assert table.ended(1, second) is None  # another task's end changes nothing
    assert table.ended(1, first) is Situation.LEAVING
    assert table.of(1) is None
    assert table.tasks() == []


def test_the_ready_queue_keeps_the_queues_order_and_drops_what_changed(tmp_path: Path) -> None:
    records = RecordTable()
    for download_id, order in ((1, 3.0), (2, 1.0), (3, 2.0), (4, 0.5)):
        record = a_record(download_id, f"http://h/{download_id}", tmp_path)
        records[download_id] = _with_order(record, order)
    held = {4}
    ready = ReadyQueue()
    ready.rescan(records, held.__contains__)
    assert ready.take(1, records, held.__contains__) == [2]
    held.add(2)  # started: kept from starting again
    del records[3]  # removed after the rescan: dropped, not started
    records[1] = _with_order(records[1], 0.1)  # moved: its old entry is stale
    assert ready.take(5, records, held.__contains__) == []
    ready.rescan(records, held.__contains__)
    assert ready.take(5, records, held.__contains__) == [1]


def test_two_downloads_racing_for_one_name_get_two(tmp_path: Path) -> None:
    claims = NameClaims(RecordTable(), threading.RLock())
    (tmp_path / "file.iso").write_bytes(b"already here")
    got: list[str] = []
    start = threading.Barrier(8)

    def claim() -> None:
        start.wait()
        got.append(claims.claim(tmp_path, "file.iso"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(got)) == 8
    assert "file.iso" not in got  # the file on disk keeps its name
    claims.release(tmp_path, got[0])
    assert claims.claim(tmp_path, "file.iso") == got[0]  # a released name is free again


def test_the_disk_watch_resumes_once_there_is_room(tmp_path: Path) -> None:
    record = a_record(7, "http://h/big", tmp_path, DownloadState.PAUSED, size=10_000)
    record = _paused_for_room(record)
    free = [100]
    resumed: list[int] = []
    watch = DiskWatch(
        lambda: [] if resumed else [record],
        resumed.append,
        free_space=lambda _folder: free[0],
        interval=0.01,
    )
    assert watch.look() == []  # 100 bytes free, 10,000 needed
    watch.start()
    free[0] = 20_000
    wait_until(lambda: resumed == [7], 5, what="the download resumed")
    watch.stop()


def test_stopping_the_disk_watch_does_not_wait_out_its_interval(tmp_path: Path) -> None:
    watch = DiskWatch(list, print, free_space=lambda _f: 0, interval=3600)
    watch.start()
    watch.stop()
    watch._thread.join(1.0)  # the thread is the watch's; asked directly to time its end
    assert not watch._thread.is_alive()


def _with_order(record: DownloadRecord, order: float) -> DownloadRecord:
    from dataclasses import replace

    return replace(record, status=replace(record.status, queue_order=order))


def _paused_for_room(record: DownloadRecord) -> DownloadRecord:
    from dataclasses import replace

    return replace(record, status=replace(record.status, pause_reason=PauseReason.DISK_FULL))
