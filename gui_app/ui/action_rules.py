"""Which download actions a selection allows, and how they read: a pure function of the
selected downloads' states (as qutebrowser's ``DownloadView._get_menu_actions``), tested
without a window. The window applies the result to its QActions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gui_app.engine import DownloadSnapshot, DownloadState

__all__ = ["ActionRules", "action_rules", "unresumable"]

_PAUSABLE = (DownloadState.QUEUED, DownloadState.RUNNING)


@dataclass(frozen=True)
class ActionRules:
    engine: bool  # add, paste, pause all, resume all, settings: anything asked of the engine
    resume: bool
    pause: bool
    pause_text: str
    pause_tip: str
    remove: bool
    open_file: bool
    open_folder: bool
    copy_address: bool  # the selected downloads' links, engine or not
    change_address: bool  # a stopped download's new link (refresh), one at a time
    properties: bool  # a stopped download's request (cookies, login, proxy), one at a time


def unresumable(selected: Sequence[DownloadSnapshot]) -> list[DownloadSnapshot]:
    """Running downloads whose server cannot resume them: pausing starts them over."""
    return [s for s in selected if s.state is DownloadState.RUNNING and s.record.resumable is False]


def action_rules(selected: Sequence[DownloadSnapshot], *, engine_lost: bool) -> ActionRules:
    lossy = unresumable(selected)
    if lossy:
        which = "this download" if len(lossy) == 1 else f"{len(lossy)} of these"
        tip = f"Pause: the server cannot resume {which}, so it will start again from the beginning"
    else:
        tip = "Pause: everything downloaded so far is kept"
    states = [s.state for s in selected]
    alive = not engine_lost  # nothing can be asked of an engine that is gone
    one = len(states) == 1
    return ActionRules(
        engine=alive,
        resume=alive and any(s.is_stopped for s in states),
        pause=alive and any(s in _PAUSABLE for s in states),
        pause_text="Pa&use (restarts)" if lossy else "Pa&use",
        pause_tip=tip,
        remove=alive and bool(states),
        open_file=one and states[0] is DownloadState.COMPLETED,
        open_folder=one,
        copy_address=bool(states),
        change_address=alive and one and states[0].is_stopped,
        properties=alive and one and states[0].is_stopped,
    )
