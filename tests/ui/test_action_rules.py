"""Which actions a selection allows, as a pure function of the selected downloads' states
(no window, no engine): every state alone, mixtures, and a lost engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.engine.api.models import DownloadId, DownloadState, Request
from gui_app.engine.api.record import DownloadRecord, DownloadSnapshot, Remote, Status
from gui_app.ui.action_rules import action_rules, unresumable


def snapshot(state: DownloadState, resumable: bool | None = True, n: int = 1) -> DownloadSnapshot:
    record = DownloadRecord(
        DownloadId(n),
        Request(f"http://h/{n}", Path("/tmp")),
        Remote(resumable=resumable),
        status=Status(state),
    )
    return DownloadSnapshot(record, 0, 0.0, None)


@pytest.mark.parametrize(
    ("state", "resume", "pause", "open_file"),
    [
        (DownloadState.QUEUED, False, True, False),
        (DownloadState.RUNNING, False, True, False),
        (DownloadState.VERIFYING, False, False, False),
        (DownloadState.PAUSED, True, False, False),
        (DownloadState.FAILED, True, False, False),
        (DownloadState.COMPLETED, False, False, True),
    ],
)
def test_one_selected_download(
    state: DownloadState, resume: bool, pause: bool, open_file: bool
) -> None:
    rules = action_rules([snapshot(state)], engine_lost=False)
    assert (rules.resume, rules.pause, rules.open_file) == (resume, pause, open_file)
    assert rules.change_address == resume  # a stopped download takes a new link
    assert rules.remove
    assert rules.open_folder
    assert rules.engine


def test_nothing_selected() -> None:
    rules = action_rules([], engine_lost=False)
    assert not any((rules.resume, rules.pause, rules.remove, rules.open_file, rules.open_folder))
    assert rules.engine  # add, paste, pause all: still there


def test_a_mixture_allows_what_any_allows_and_opens_nothing() -> None:
    selected = [snapshot(DownloadState.PAUSED, n=1), snapshot(DownloadState.COMPLETED, n=2)]
    rules = action_rules(selected, engine_lost=False)
    assert rules.resume
    assert not rules.pause
    assert not rules.open_file  # two selected: which one?
    assert not rules.open_folder
    assert not rules.change_address


def test_pausing_what_cannot_resume_says_it_restarts() -> None:
    lossy = snapshot(DownloadState.RUNNING, resumable=False, n=1)
    fine = snapshot(DownloadState.RUNNING, resumable=True, n=2)
    assert unresumable([lossy, fine]) == [lossy]
    one = action_rules([lossy, fine], engine_lost=False)
    assert one.pause_text == "Pa&use (restarts)"
    assert "this download" in one.pause_tip
    two = action_rules(
        [lossy, snapshot(DownloadState.RUNNING, resumable=False, n=3)], engine_lost=False
    )
    assert "2 of these" in two.pause_tip
    assert action_rules([fine], engine_lost=False).pause_text == "Pa&use"


@given(st.lists(st.sampled_from(DownloadState), max_size=5))
def test_a_lost_engine_allows_only_looking(states: list[DownloadState]) -> None:
    selected = [snapshot(s, n=i) for i, s in enumerate(states)]
    rules = action_rules(selected, engine_lost=True)
    assert not any((rules.engine, rules.resume, rules.pause, rules.remove, rules.change_address))
    alive = action_rules(selected, engine_lost=False)
    assert (rules.open_file, rules.open_folder) == (alive.open_file, alive.open_folder)
