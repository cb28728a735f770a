"""Strict checks on every HTTP response before one byte of its body is written.

A range request must get 206 with a Content-Range whose first byte, last byte and total
match what was asked; a status is turned into the right error class here, once, so the
task never guesses. The functions are pure: they read a response's status and headers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import httpx

from gui_app.engine.errors import (
    PermanentError,
    ProtocolError,
    RemoteChangedError,
    RetryAfterError,
    TransientError,
)
from gui_app.engine.ranges import ContentRange, parse_content_range

__all__ = ["MAX_RETRY_AFTER", "check_range_response", "raise_for_status", "retry_after"]

MAX_RETRY_AFTER = 600.0

_PERMANENT = {
    400: "the server rejected the request (400 Bad Request)",
    401: "the server asks for a login (401 Unauthorized)",
    403: "access denied (403 Forbidden): the link may have expired",
    404: "not found (404): the file is not on the server",
    405: "the server does not allow downloading this URL (405)",
    410: "gone (410): the file was removed from the server",
    451: "unavailable for legal reasons (451)",
}


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, min(when.timestamp() - now(), MAX_RETRY_AFTER))


def raise_for_status(response: httpx.Response) -> None:
    """Raise the engine error for a non-success status; return for 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (429, 503) or status >= 500:
        reason = "too many requests (429)" if status == 429 else f"server error ({status})"
        delay = retry_after(response.headers.get("retry-after"))
        if delay is not None:
            raise RetryAfterError(f"{reason}; the server asks to retry in {delay:.0f} s", delay)
        raise TransientError(reason)
    if status == 416:
        raise ProtocolError("the server refused the byte range (416)")
    if status == 408:
        raise TransientError("the server timed out the request (408)")
    raise PermanentError(_PERMANENT.get(status, f"the server answered {status}"))


def check_range_response(
    response: httpx.Response, first: int, last: int | None, size: int | None
) -> ContentRange:
    """Check a 206 answer to ``Range: bytes=first-last`` (``last`` None: open-ended).

    Raises ProtocolError when the server sent other bytes than asked, and
    RemoteChangedError when the total size is no longer ``size``.
    """
    header = response.headers.get("content-range")
    if header is None:
        raise ProtocolError("the server sent a partial answer without Content-Range")
    parsed = parse_content_range(header)
    if parsed is None or parsed.range is None:
        raise ProtocolError(f"the server sent a malformed Content-Range: {header!r}")
    if size is not None and parsed.total is not None and parsed.total != size:
        raise RemoteChangedError(
            f"the file on the server changed size ({size} -> {parsed.total} bytes); "
            "the link may have expired or the file was replaced"
        )
    expected_last = last if last is not None else (parsed.total - 1 if parsed.total else None)
    if parsed.range.first != first or (
        expected_last is not None and parsed.range.last != expected_last
    ):
        raise ProtocolError(
            f"asked for bytes {first}-{'' if last is None else last}, "
            f"the server sent {parsed.range.first}-{parsed.range.last}"
        )
    length = response.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) != parsed.range.length:
        raise ProtocolError("Content-Length disagrees with Content-Range")
    return parsed
