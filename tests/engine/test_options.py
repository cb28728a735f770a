"""The manager's options are one frozen value (EngineOptions): a misspelt or impossible
option fails where it is written, in the process that writes it, in words that name it;
the same value runs the CLI's manager, the tests' and the app's engine process."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from gui_app.engine.api.options import EngineOptions
from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.retry import Backoff
from gui_app.engine.api.tls_settings import TlsSettings
from gui_app.engine.disk.store import Store
from gui_app.engine.manager.scheduler import DownloadManager
from gui_app.engine.process.remote import RemoteEngine


def children() -> set[int]:
    """This process's child processes, from every thread's list (proc(5))."""
    tasks = Path("/proc/self/task").iterdir()
    return {int(pid) for task in tasks for pid in (task / "children").read_text().split()}


def test_a_misspelt_option_fails_where_it_is_written() -> None:
    with pytest.raises(TypeError, match="max_concurent"):
        EngineOptions(max_concurent=2)  # type: ignore[call-arg]  # the misspelling tested


def test_a_misspelt_option_fails_in_the_app_before_any_engine_process_starts() -> None:
    before = children()
    with pytest.raises(TypeError, match="max_concurent"):
        RemoteEngine(max_concurent=2)  # type: ignore[call-arg]  # the misspelling tested
    with pytest.raises(TypeError, match="EngineOptions"):
        RemoteEngine(options={"max_concurrent": 2})  # type: ignore[arg-type]  # the old dict
    assert children() == before


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("max_concurrent", 0, "max_concurrent must be at least 1, got 0"),
        ("max_connections_per_host", 0, "max_connections_per_host must be at least 1, got 0"),
        ("global_rate_limit", 0, "global_rate_limit must be at least 1 byte/s or None"),
        ("save_interval", 0.0, "save_interval must be more than 0 seconds, got 0.0"),
        ("stall_timeout", -1.0, "stall_timeout must be more than 0 seconds, got -1.0"),
        ("head_timeout", float("nan"), "head_timeout must be more than 0 seconds, got nan"),
        ("min_split", 0, "min_split must be at least 1 byte, got 0"),
    ],
)
def test_an_impossible_option_is_refused_in_words_naming_it(
    option: str, value: object, message: str
) -> None:
    values: dict[str, Any] = {option: value}
    with pytest.raises(ValueError, match=f"^{message}"):
        EngineOptions(**values)


def test_options_cross_a_process_whole_and_are_checked_again_on_arrival() -> None:
    options = EngineOptions(
        max_concurrent=2,
        max_connections_per_host=4,
        global_rate_limit=1 << 20,
        save_interval=0.5,
        stall_timeout=3.0,
        min_split=1 << 18,
        backoff=Backoff(base=0.1, cap=1.0, max_failures=2),
        head_timeout=5.0,
        proxies=ProxySettings.manual("http://127.0.0.1:3128"),
        tls=TlsSettings(verify=False),
        ask_before_restart=True,
    )
    assert pickle.loads(pickle.dumps(options, protocol=pickle.HIGHEST_PROTOCOL)) == options
    # Unpickling goes through __init__: a value changed on the way is refused there.
    corrupt = EngineOptions()
    object.__setattr__(corrupt, "max_concurrent", 0)
    with pytest.raises(ValueError, match="max_concurrent must be at least 1"):
        pickle.loads(pickle.dumps(corrupt))


def test_the_manager_takes_the_value_not_loose_keywords(data_dir: Path) -> None:
    store = Store(data_dir / "state.sqlite3")
    try:
        with pytest.raises(TypeError):
            DownloadManager(store, max_concurrent=1)  # type: ignore[call-arg]  # the old way
        manager = DownloadManager(store, options=EngineOptions(max_concurrent=1))
        manager.shutdown()
    finally:
        store.close()
