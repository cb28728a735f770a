"""The queue's order: top, up, down and bottom keep everyone else's order and move only
the rows that must (hypothesis); queued downloads start in that order, a running one's
saves never undo a move, and the order survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.engine.api.errors import InvalidURLError
from gui_app.engine.api.events import DownloadChanged, DownloadEvent
from gui_app.engine.api.models import DownloadRequest, DownloadState, QueueMove
from gui_app.engine.manager.edits import moved_orders, placed_orders
from tests.engine.conftest import DataUrl, Managers
from tests.kit.files import sha256_of

queues = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=12, unique=True)


def ranking(orders: dict[int, float]) -> list[int]:
    return sorted(orders, key=lambda i: (orders[i], i))


@given(queues, st.data(), st.sampled_from(QueueMove))
def test_a_move_keeps_every_other_order(
    values: list[float], data: st.DataObject, to: QueueMove
) -> None:
    orders = dict(enumerate(values))
    chosen = set(data.draw(st.lists(st.sampled_from(sorted(orders)), max_size=len(orders))))
    changed = moved_orders(orders, chosen, to)
    before, after = ranking(orders), ranking(orders | changed)
    assert sorted(after) == sorted(before)
    assert len(set((orders | changed).values())) == len(orders)  # no two share a place
    assert [i for i in after if i in chosen] == [i for i in before if i in chosen]
    assert [i for i in after if i not in chosen] == [i for i in before if i not in chosen]
    assert all(orders[i] != order for i, order in changed.items())  # only movers written
    if not chosen or len(chosen) == len(orders):
        assert changed == {}
        return
    places = {i: n for n, i in enumerate(after)}
    old = {i: n for n, i in enumerate(before)}
    match to:
        case QueueMove.TOP:
            assert set(after[: len(chosen)]) == chosen
        case QueueMove.BOTTOM:
            assert set(after[-len(chosen) :]) == chosen
        case QueueMove.UP:
            assert all(old[i] - 1 <= places[i] <= old[i] for i in chosen)
        case QueueMove.DOWN:
            assert all(old[i] <= places[i] <= old[i] + 1 for i in chosen)


@given(queues, st.data())
def test_a_drag_puts_the_chosen_just_before_the_target(
    values: list[float], data: st.DataObject
) -> None:
    orders = dict(enumerate(values))
    ids = sorted(orders)
    chosen = set(data.draw(st.lists(st.sampled_from(ids), max_size=len(ids))))
    before = data.draw(st.none() | st.sampled_from(ids))
    changed = placed_orders(orders, chosen, before)
    old, after = ranking(orders), ranking(orders | changed)
    assert all(orders[i] != order for i, order in changed.items())  # only movers written
    if not chosen or len(chosen) == len(orders) or before in chosen:
        assert changed == {}
        return
    rest = [i for i in old if i not in chosen]
    at = len(rest) if before is None else rest.index(before)
    assert after == rest[:at] + [i for i in old if i in chosen] + rest[at:]
    assert len(set((orders | changed).values())) == len(orders)  # no two share a place


def test_many_drags_to_one_place_never_lose_the_order() -> None:
    # Halving the same gap runs out of float precision after about 50 drags; the
    # orders are then numbered again, and every drag still lands where it was dropped.
    orders = {1: 0.0, 2: 1.0, 3: 2.0}
    for n in range(200):
        mover = 3 if n % 2 == 0 else 1
        target = 2
        orders |= placed_orders(orders, {mover}, target)
        assert ranking(orders).index(mover) == ranking(orders).index(target) - 1
        assert len(set(orders.values())) == len(orders)


def test_queued_downloads_start_in_the_order_given(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path
) -> None:
    manager = managers(max_concurrent=1)
    started: list[int] = []

    def on_event(event: DownloadEvent) -> None:
        # the first change to running of each: its start (later ones are its progress)
        if not isinstance(event, DownloadChanged):
            return
        record = event.record
        if record.state is DownloadState.RUNNING and record.id not in started:
            started.append(record.id)

    manager.subscribe(on_event)
    folders = [tmp_path / name for name in "abcd"]
    for folder in folders:
        folder.mkdir()
    slow = manager.add(DownloadRequest(data_url("&rate=4M"), folders[0]))
    waiting = [manager.add(DownloadRequest(data_url(), folder)) for folder in folders[1:]]
    manager.move([waiting[2]], QueueMove.TOP)
    manager.move([waiting[0]], QueueMove.BOTTOM)
    manager.move([slow], QueueMove.BOTTOM)  # running: its later saves must not undo this
    manager.place([waiting[1]], waiting[2])  # dragged above the one at the top
    assert manager.wait([slow, *waiting], timeout=60)
    assert started[1:] == [waiting[1], waiting[2], waiting[0]]
    for download_id in (slow, *waiting):
        snapshot = manager.get(download_id)
        assert snapshot is not None
        assert snapshot.state is DownloadState.COMPLETED
        assert snapshot.record.path is not None
        assert sha256_of(snapshot.record.path) == sha256_of(source)
    manager.shutdown()
    again = managers()
    orders = {s.id: s.record.queue_order for s in again.snapshot()}
    assert ranking(orders) == [waiting[1], waiting[2], waiting[0], slow]


def test_a_list_is_added_in_its_order_or_not_at_all(
    managers: Managers, data_url: DataUrl, source: Path, tmp_path: Path
) -> None:
    manager = managers(max_concurrent=1)
    folders = [tmp_path / name for name in "abc"]
    for folder in folders:
        folder.mkdir()
    bad = [DownloadRequest(data_url(), folders[0]), DownloadRequest("htp:/nowhere", folders[1])]
    with pytest.raises(InvalidURLError):
        manager.add_many(bad)
    assert manager.snapshot() == ()
    ids = manager.add_many([DownloadRequest(data_url(), folder) for folder in folders])
    assert [s.id for s in manager.snapshot()] == ids
    assert manager.wait(ids, timeout=60)
    for download_id in ids:
        snapshot = manager.get(download_id)
        assert snapshot is not None
        assert snapshot.record.path is not None
        assert sha256_of(snapshot.record.path) == sha256_of(source)
