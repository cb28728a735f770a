"""``EngineOptions``: a DownloadManager's options, as one frozen value with no HTTP
import. The app writes one for its engine process, which gets it whole over the channel
(``engine/process/messages.py``); the CLI and the tests hand theirs to the manager directly. A
misspelt option is a TypeError, and an impossible one a ValueError, where it is written:
never only in the engine process, where it read as "the engine ended unexpectedly"."""

from __future__ import annotations

from dataclasses import dataclass

from gui_app.engine.api.proxies import ProxySettings
from gui_app.engine.api.retry import Backoff
from gui_app.engine.api.tls_settings import TlsSettings
from gui_app.ground.pickled import by_fields

__all__ = ["EngineOptions"]


MIN_SPLIT = 1 << 20  # bytes: the smallest region a new connection takes over


@by_fields  # unpickled through __init__: checked again on arrival
@dataclass(frozen=True, slots=True)
class EngineOptions:
    """What a manager starts with (``set_max_concurrent``, ``set_global_rate_limit``,
    ``set_proxies`` and ``set_tls`` change those later)."""

    max_concurrent: int = 3  # downloads running at once
    max_connections_per_host: int = 16  # across all downloads
    global_rate_limit: int | None = None  # bytes per second for all; None: unlimited
    save_interval: float = 2.0  # seconds between durable saves of a running download
    stall_timeout: float = 20.0  # seconds without a byte before a connection is retried
    min_split: int = MIN_SPLIT  # the smallest region a new connection takes over
    backoff: Backoff = Backoff()  # noqa: RUF009  # a frozen value
    head_timeout: float = 30.0  # seconds for the answer's headers
    proxies: ProxySettings = ProxySettings()  # noqa: RUF009  # a frozen value
    tls: TlsSettings = TlsSettings()  # noqa: RUF009  # the CA file, or no checks at all
    ask_before_restart: bool = False  # a changed file waits for the user (the app)
    disk_recheck: float = 5.0  # seconds between looks at a full disk's free space

    def __post_init__(self) -> None:
        for name in ("max_concurrent", "max_connections_per_host"):
            count = getattr(self, name)
            if count < 1:
                raise ValueError(f"{name} must be at least 1, got {count}")
        rate = self.global_rate_limit
        if rate is not None and rate < 1:
            raise ValueError(f"global_rate_limit must be at least 1 byte/s or None, got {rate}")
        for name in ("save_interval", "stall_timeout", "head_timeout", "disk_recheck"):
            seconds = getattr(self, name)
            if not seconds > 0:  # NaN too
                raise ValueError(f"{name} must be more than 0 seconds, got {seconds}")
        if self.min_split < 1:
            raise ValueError(f"min_split must be at least 1 byte, got {self.min_split}")
