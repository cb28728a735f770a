"""The download engine's face: the one module the window, the CLI, the app's policy and the
browser host import. Behind it, floors that each import only the ones below: ``process/``
(the engine in its own process), ``manager/`` (the queue and the user's edits),
``download/`` (one download's task and connections), ``disk/`` and ``http/``, and ``api/``
(the values, events and errors every floor shares). Never imports Qt."""

import importlib
import sys
from typing import TYPE_CHECKING, Any

# httpx imports its command-line client (and with it rich, click and pygments) whenever
# they are installed, as ours are: 40 ms of every ``rangeload get``'s start, for a tool
# Rangeload never runs. A None entry makes that import fail at once, which httpx expects
# (it then defines a stub ``httpx.main``). Only if nothing imported httpx before us.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None: "not importable"

from gui_app.engine.api.cookies import Cookie, with_cookies
from gui_app.engine.api.cookies_txt import CookieFileError, read_cookies_txt
from gui_app.engine.api.errors import (
    DownloadError,
    InvalidURLError,
    RefreshRefusedError,
    validate_url,
)
from gui_app.engine.api.events import (
    DownloadAdded,
    DownloadChanged,
    DownloadEvent,
    DownloadRemoved,
    EngineLost,
)
from gui_app.engine.api.folder_rule import OTHER, Categorizer, Category, CategoryFolders
from gui_app.engine.api.interface import Engine
from gui_app.engine.api.models import (
    DIRECT,
    MAX_CONNECTIONS,
    Checksum,
    DownloadId,
    DownloadRequest,
    DownloadState,
    Login,
    Problem,
    QueueMove,
    RequestOptions,
    check_connections,
    proxy_choice_label,
)
from gui_app.engine.api.options import EngineOptions
from gui_app.engine.api.origins import host_of, same_origin, secrets_in_words, secrets_of
from gui_app.engine.api.proxies import ProxySettings, proxy_label
from gui_app.engine.api.record import DownloadRecord, DownloadSnapshot
from gui_app.engine.api.tls_settings import TlsSettings
from gui_app.engine.disk.store import Store
from gui_app.engine.disk.task_lock import held_by_a_process

if TYPE_CHECKING:
    from gui_app.engine.manager.scheduler import DownloadManager
    from gui_app.engine.process.host import run_host
    from gui_app.engine.process.remote import EngineProcess, EngineStoppedError, RemoteEngine

# The manager and its host bring httpx (and anyio): the window's process, which only talks
# to its engine process, never imports them; the CLI never needs the engine process's
# handle. Each is imported on first use instead.
_HEAVY = {
    "DownloadManager": "gui_app.engine.manager.scheduler",
    "run_host": "gui_app.engine.process.host",
    "EngineProcess": "gui_app.engine.process.remote",
    "EngineStoppedError": "gui_app.engine.process.remote",
    "RemoteEngine": "gui_app.engine.process.remote",
}


def __getattr__(name: str) -> Any:
    if name not in _HEAVY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HEAVY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "DIRECT",
    "MAX_CONNECTIONS",
    "OTHER",
    "Categorizer",
    "Category",
    "CategoryFolders",
    "Checksum",
    "Cookie",
    "CookieFileError",
    "DownloadAdded",
    "DownloadChanged",
    "DownloadError",
    "DownloadEvent",
    "DownloadId",
    "DownloadManager",
    "DownloadRecord",
    "DownloadRemoved",
    "DownloadRequest",
    "DownloadSnapshot",
    "DownloadState",
    "Engine",
    "EngineLost",
    "EngineOptions",
    "EngineProcess",
    "EngineStoppedError",
    "InvalidURLError",
    "Login",
    "Problem",
    "ProxySettings",
    "QueueMove",
    "RefreshRefusedError",
    "RemoteEngine",
    "RequestOptions",
    "Store",
    "TlsSettings",
    "check_connections",
    "held_by_a_process",
    "host_of",
    "proxy_choice_label",
    "proxy_label",
    "read_cookies_txt",
    "run_host",
    "same_origin",
    "secrets_in_words",
    "secrets_of",
    "validate_url",
    "with_cookies",
]
