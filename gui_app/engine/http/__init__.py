"""The engine's one HTTP boundary: sending range requests and reading bodies
(``exchange``), the network streams under them (``backend``), and the checks every
response passes before a byte is written (``checks``)."""

from gui_app.engine.http.backend import Guard, GuardedBackend
from gui_app.engine.http.checks import (
    Answer,
    Sameness,
    compare,
    looks_like_a_page,
    raise_for_status,
    read_answer,
    retry_after,
)
from gui_app.engine.http.exchange import HttpClient, host_of, same_origin
from gui_app.engine.http.tls import TlsSettings

__all__ = [
    "Answer",
    "Guard",
    "GuardedBackend",
    "HttpClient",
    "Sameness",
    "TlsSettings",
    "compare",
    "host_of",
    "looks_like_a_page",
    "raise_for_status",
    "read_answer",
    "retry_after",
    "same_origin",
]
