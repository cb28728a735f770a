"""GroupCommit: callers that arrive while a flush runs share the next one; none returns
before a flush that held its item has ended, and each hears its own group's error."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from gui_app.engine.disk.group_commit import GroupCommit


def test_a_lone_caller_is_flushed_at_once() -> None:
    groups: list[list[int]] = []
    commit: GroupCommit[int] = GroupCommit(lambda group: groups.append(list(group)))
    commit.submit(1)
    commit.submit(2)
    assert groups == [[1], [2]]


def test_callers_during_a_flush_share_the_next_and_wait_for_it() -> None:
    groups: list[list[int]] = []
    flushed: set[int] = set()
    first_started, release = threading.Event(), threading.Event()

    def flush(group: Sequence[int]) -> None:
        if not groups:
            first_started.set()
            assert release.wait(10)
        groups.append(list(group))
        flushed.update(group)

    commit = GroupCommit(flush)
    returned: dict[int, bool] = {}

    def submit(item: int) -> None:
        commit.submit(item)
        returned[item] = item in flushed  # its flush had ended when it returned

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    assert first_started.wait(10)
    others = [threading.Thread(target=submit, args=(n,)) for n in range(1, 6)]
    for thread in others:
        thread.start()
    while len(commit._waiting) < 5:  # all five queued behind the slow flush
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert groups == [[0], [1, 2, 3, 4, 5]]  # two flushes for six callers, in order
    assert returned == dict.fromkeys(range(6), True)


def test_each_caller_of_a_failed_flush_hears_the_error_and_the_next_flush_works() -> None:
    calls: list[list[str]] = []

    def flush(group: Sequence[str]) -> None:
        calls.append(list(group))
        if "bad" in group:
            raise OSError("disk full")

    commit = GroupCommit(flush)
    with pytest.raises(OSError, match="disk full"):
        commit.submit("bad")
    commit.submit("good")
    assert calls == [["bad"], ["good"]]


class Interrupted(BaseException):
    """Not an Exception, as KeyboardInterrupt is not."""


def test_every_caller_of_a_group_hears_even_a_base_exception() -> None:
    first_started, release = threading.Event(), threading.Event()
    flushes: list[list[int]] = []

    def flush(group: Sequence[int]) -> None:
        flushes.append(list(group))
        if len(flushes) == 1:
            first_started.set()
            assert release.wait(10)
        elif len(flushes) == 2:
            raise Interrupted

    commit: GroupCommit[int] = GroupCommit(flush)
    outcome: dict[int, str] = {}

    def submit(item: int) -> None:
        try:
            commit.submit(item)
            outcome[item] = "flushed"
        except Interrupted:
            outcome[item] = "interrupted"

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    assert first_started.wait(10)
    others = [threading.Thread(target=submit, args=(n,)) for n in (1, 2, 3)]
    for thread in others:
        thread.start()
    while len(commit._waiting) < 3:
        threading.Event().wait(0.01)
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    # None of the second group may return as if its item were on disk.
    assert outcome == {0: "flushed", 1: "interrupted", 2: "interrupted", 3: "interrupted"}
    assert flushes == [[0], [1, 2, 3]]
