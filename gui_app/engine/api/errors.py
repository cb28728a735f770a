"""The engine's error hierarchy; every failure a user can see is one of these.

DownloadError                 anything that stops a download, with a plain-words message
├── TransientError            worth retrying: connection errors, timeouts, 5xx, 429, stalls
│   ├── RetryAfterError       the server said when to come back (Retry-After)
│   └── TruncatedBodyError    HTTP framing says the body ended early: never a complete file
├── PermanentError            retrying cannot help: 404, 410, 403, 401, bad URL
│   ├── InvalidURLError       malformed URL or unsupported scheme
│   ├── LoginRequiredError    401: the server wants a login, or refused the one given
│   ├── ChecksumMismatchError the finished file's digest differs from the expected one
│   ├── RefreshRefusedError   a new address serves another file; the download is as it was
│   └── RemoteChangedError    size or type changed on resume: link expired or file replaced
│       └── FileChangedError  a new version under kept bytes, which the user must choose to drop
├── ProtocolError             the server lied (bad Content-Range, a coding); nothing written
├── DiskError                 local storage failed
│   ├── DiskFullError         ENOSPC: pause, keep everything, resume when space is free
│   └── FolderMissingError    a new download's destination folder does not exist
└── StoreSaveError            the download list could not be written: progress not saved
"""

from __future__ import annotations

from gui_app.ground.urls import BadURLError, check_url

__all__ = [
    "ChecksumMismatchError",
    "DiskError",
    "DiskFullError",
    "DownloadError",
    "FileChangedError",
    "FolderMissingError",
    "InvalidURLError",
    "LoginRequiredError",
    "PermanentError",
    "ProtocolError",
    "RefreshRefusedError",
    "RemoteChangedError",
    "RetryAfterError",
    "StoreSaveError",
    "TransientError",
    "TruncatedBodyError",
    "UnreachableError",
    "validate_url",
]


class DownloadError(Exception):
    """Base class. ``str(error)`` is a one-line message fit to show a user."""


class TransientError(DownloadError):
    """A failure that a retry with backoff may cure."""


class RetryAfterError(TransientError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnreachableError(TransientError):
    """No connection was made: nothing listens at that address, no route leads there, or
    (``resolved`` False) no such host. A new download fails fast on it; one that was
    flowing keeps its patience (the link may come back)."""

    def __init__(self, message: str, *, resolved: bool = True) -> None:
        super().__init__(message)
        self.resolved = resolved


class TruncatedBodyError(TransientError):
    """The connection closed before the body's end (by Content-Length or chunking)."""


class PermanentError(DownloadError):
    """A failure no retry can cure."""


class InvalidURLError(PermanentError):
    """A URL that cannot be fetched, with what is wrong with it."""


def validate_url(text: str) -> str:
    """The URL, stripped and checked (``ground/urls.check_url``); else InvalidURLError."""
    try:
        return check_url(text)
    except BadURLError as problem:
        raise InvalidURLError(str(problem)) from None


class LoginRequiredError(PermanentError):
    """The server answered 401: the download waits for a (better) login."""


class ChecksumMismatchError(PermanentError):
    pass


class RefreshRefusedError(PermanentError):
    """The new address serves another file; the download was left as it was."""


class RemoteChangedError(PermanentError):
    pass


class FileChangedError(RemoteChangedError):
    """The server has a new version of the file; the bytes kept are of the old one."""


class ProtocolError(DownloadError):
    """The server's answer does not match the request; its bytes are never written."""


class DiskError(DownloadError):
    pass


class DiskFullError(DiskError):
    pass


class FolderMissingError(DiskError):
    """A download was asked for into a folder that is not there; nothing was stored."""


class StoreSaveError(DownloadError):
    """The store refused a write (disk full, locked too long, read-only)."""
