"""Both engines, and the tests' fake (tests/kit/fake_engine.py), fit the one ``Engine``
protocol, member by member, signature by signature; the engine process answers exactly
its remote calls."""

from __future__ import annotations

import inspect

import pytest

from gui_app.engine.api.interface import LOCAL_ONLY, Engine, remote_calls
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.engine.process.host import CALLS
from gui_app.engine.process.remote import RemoteEngine
from tests.kit.fake_engine import FakeEngine

MEMBERS = sorted(name for name in vars(Engine) if not name.startswith("_"))


def parameters(function: object) -> list[tuple[str, object, object]]:
    signature = inspect.signature(function)  # type: ignore[arg-type]
    return [
        (p.name, p.kind, p.default is inspect.Parameter.empty)
        for p in signature.parameters.values()
    ]


@pytest.mark.parametrize("engine", [DownloadManager, RemoteEngine, FakeEngine])
@pytest.mark.parametrize("name", MEMBERS)
def test_each_engine_has_each_call_with_its_signature(engine: type, name: str) -> None:
    assert hasattr(engine, name), f"{engine.__name__} lacks {name}"
    assert parameters(getattr(engine, name)) == parameters(getattr(Engine, name)), name


def test_the_engine_process_answers_the_remote_calls() -> None:
    assert CALLS == remote_calls() == frozenset(MEMBERS) - LOCAL_ONLY
    assert "set_options" in CALLS
    assert "total_speed" in CALLS
