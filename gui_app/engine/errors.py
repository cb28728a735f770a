"""The engine's error hierarchy; every failure a user can see is one of these.

DownloadError                 anything that stops a download, with a plain-words message
├── TransientError            worth retrying: connection errors, timeouts, 5xx, 429, stalls
│   └── RetryAfterError       the server said when to come back (Retry-After)
├── PermanentError            retrying cannot help: 404, 410, 403, 401, bad URL
│   ├── InvalidURLError       malformed URL or unsupported scheme
│   ├── ChecksumMismatchError the finished file's digest differs from the expected one
│   └── RemoteChangedError    size or type changed on resume: link expired or file replaced
├── ProtocolError             the server lied (bad Content-Range, short body); nothing written
└── DiskError                 local storage failed
    └── DiskFullError         ENOSPC: pause, keep everything, resume when space is free
"""

from __future__ import annotations

__all__ = [
    "ChecksumMismatchError",
    "DiskError",
    "DiskFullError",
    "DownloadError",
    "InvalidURLError",
    "PermanentError",
    "ProtocolError",
    "RemoteChangedError",
    "RetryAfterError",
    "TransientError",
]


class DownloadError(Exception):
    """Base class. ``str(error)`` is a one-line message fit to show a user."""


class TransientError(DownloadError):
    """A failure that a retry with backoff may cure."""


class RetryAfterError(TransientError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(DownloadError):
    """A failure no retry can cure."""


class InvalidURLError(PermanentError):
    pass


class ChecksumMismatchError(PermanentError):
    pass


class RemoteChangedError(PermanentError):
    pass


class ProtocolError(DownloadError):
    """The server's answer does not match the request; its bytes are never written."""


class DiskError(DownloadError):
    pass


class DiskFullError(DiskError):
    pass
