"""Every message the desktop app and its engine process send each other over their
channel (``engine/process/channel.py``), one frozen class each, in this one place.

The app sends ``Hello`` once, first, with the manager's options; then a ``Call`` for
each engine call, and at the end ``Shutdown``. The engine answers each ``Call``, and the
``Shutdown`` once all is saved, with a ``Reply`` of the same id, and forwards every
engine event as an ``Event``. Each side matches on these classes; anything else is
logged and refused, and the side that got it goes on serving.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gui_app.engine.api.events import DownloadEvent
from gui_app.engine.api.options import EngineOptions
from gui_app.ground.pickled import by_fields

__all__ = ["Call", "Event", "Hello", "Reply", "Shutdown"]


@by_fields
@dataclass(frozen=True, slots=True)
class Hello:
    """The app's first message: run a manager on ``options``."""

    options: EngineOptions


@by_fields
@dataclass(frozen=True, slots=True)
class Call:
    """Call the engine's ``name`` (one of ``interface.remote_calls()``) with these
    arguments; answered by a Reply with this ``id``."""

    id: int
    name: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]


@by_fields
@dataclass(frozen=True, slots=True)
class Shutdown:
    """Stop the downloads, save and end; answered by ``Reply(id, True, None)`` once saved."""

    id: int


@by_fields
@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to the Call (or Shutdown) ``id``: its result if ``ok``, else the
    exception it raised, for the app to raise in the caller."""

    id: int
    ok: bool
    value: object


@by_fields
@dataclass(frozen=True, slots=True)
class Event:
    """One of the engine's events, for the app's listeners."""

    event: DownloadEvent
