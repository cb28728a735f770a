"""Pure checks of every response before one byte of its body is written.

``read_answer`` turns a response to ``Range: bytes=first-last`` into an ``Answer`` or the
right engine error: statuses, Content-Range against what was asked, codings nobody asked
for, sizes no file system holds. ``compare`` says whether an answer is the same version
of the file as the bytes already written; ``looks_like_a_page`` sniffs a body's first
bytes for the web page an expired link returns. They read status and headers only.
"""

from __future__ import annotations

import enum
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from gui_app.engine.api.errors import (
    PermanentError,
    ProtocolError,
    RetryAfterError,
    TransientError,
)
from gui_app.engine.api.models import Validators
from gui_app.ground.byteranges import parse_content_range

__all__ = [
    "MAX_RETRY_AFTER",
    "MAX_SIZE",
    "Answer",
    "Sameness",
    "compare",
    "looks_like_a_page",
    "raise_for_status",
    "read_answer",
    "retry_after",
]

MAX_RETRY_AFTER = 600.0
MAX_SIZE = (1 << 63) - 1  # what off_t holds; a claim beyond is a lie
_DIGITS = re.compile(r"[0-9]{1,19}")

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
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date); None
    for a value that is neither (it is then ignored, as RFC 9110 allows)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return min(float(value[:10]), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - now()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


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


def _size(text: str | None, what: str) -> int | None:
    if text is None:
        return None
    text = text.strip()
    if not _DIGITS.fullmatch(text) or int(text) > MAX_SIZE:
        if text.isascii() and text.isdigit():
            raise ProtocolError(
                f"the server claims a {what} of {text[:30]} bytes, more than any file can hold"
            )
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class Answer:
    """What one 2xx (or empty 416) response offers."""

    status: int
    first: int  # the file offset of the body's first byte
    last: int | None  # the last byte the body carries; None: to its end
    size: int | None  # the whole file's size, when known
    validators: Validators
    content_type: str | None
    coding: str  # "identity", or the Content-Encoding the server applied anyway

    @property
    def partial(self) -> bool:
        return self.status == 206

    @property
    def length(self) -> int | None:
        """Body bytes expected (of the file), when known."""
        if self.last is not None:
            return self.last - self.first + 1
        return None if self.size is None else self.size - self.first


def read_answer(
    response: httpx.Response, first: int, last: int | None, *, known_size: int | None
) -> Answer:
    """Check a response to ``Range: bytes=first-last`` (``last`` None: open-ended; no
    Range at all is ``first`` 0, ``last`` None) and say what its body is."""
    headers = response.headers
    validators = Validators(headers.get("etag"), headers.get("last-modified"))
    content_type = headers.get("content-type")
    if response.status_code == 416:
        parsed = parse_content_range(headers.get("content-range", ""))
        if first == 0 and parsed is not None and parsed.range is None and parsed.total == 0:
            return Answer(416, 0, None, 0, validators, content_type, "identity")  # empty
    raise_for_status(response)
    coding = (headers.get("content-encoding") or "identity").strip().lower() or "identity"
    status = response.status_code
    if status == 206:
        if coding != "identity":
            raise ProtocolError(
                f"the server sent part of the file {coding}-compressed although Rangeload "
                "asked for it as it is; such parts cannot be joined"
            )
        header = headers.get("content-range")
        if header is None:
            raise ProtocolError("the server sent a partial answer without Content-Range")
        parsed = parse_content_range(header)
        if parsed is None or parsed.range is None:
            raise ProtocolError(f"the server sent a malformed Content-Range: {header[:80]!r}")
        if parsed.total is None:
            raise ProtocolError("the server sent part of the file without its total size")
        if parsed.total > MAX_SIZE:
            raise ProtocolError("the server claims a size more than any file can hold")
        expected_last = parsed.total - 1 if last is None else last
        if parsed.range.first != first or parsed.range.last != min(expected_last, parsed.total - 1):
            asked = f"{first}-{'' if last is None else last}"
            raise ProtocolError(f"asked for bytes {asked}, the server sent {parsed.range}")
        length = _size(headers.get("content-length"), "length")
        if length is not None and length != parsed.range.length:
            raise ProtocolError("Content-Length disagrees with Content-Range")
        return Answer(206, first, parsed.range.last, parsed.total, validators, content_type, coding)
    length = _size(headers.get("content-length"), "size")
    if coding != "identity" and known_size is not None:
        raise ProtocolError(
            f"the server now sends the file {coding}-compressed, which cannot continue the "
            "bytes already written"
        )
    # A coded body is kept as sent (as curl and wget do); its length is the coded one.
    return Answer(status, 0, None, length, validators, content_type, coding)


class Sameness(enum.Enum):
    """Is an answer the version whose bytes are on disk? The one judgement, for a resume,
    each connection's answer and a new address alike; each caller decides what to do
    with less than proof."""

    SAME = "same"  # a strong ETag matches: proof
    LIKELY = "likely"  # the same date, or the same weak ETag, and no other difference
    UNKNOWN = "unknown"  # nothing to compare but the size (one side has no validators)
    CHANGED = "changed"  # new validators or size: the file was replaced
    EXPIRED = "expired"  # another size with nothing to identify it: not the file at all
    OTHER_ETAG = "other-etag"  # another ETag, same date and size: perhaps another backend


def compare(stored: Validators, stored_size: int | None, answer: Answer) -> Sameness:
    """Is ``answer`` the version whose bytes are on disk, and how sure is that?"""
    got = answer.validators
    if stored_size is not None and answer.size is not None and answer.size != stored_size:
        return Sameness.CHANGED if got.etag or got.last_modified else Sameness.EXPIRED
    old_tag, new_tag = _opaque(stored.etag), _opaque(got.etag)
    dates = stored.last_modified, got.last_modified
    if old_tag is not None and new_tag is not None:
        if old_tag == new_tag:
            strong = stored.strong_etag is not None and stored.etag == got.strong_etag
            return Sameness.SAME if strong else Sameness.LIKELY
        if None not in dates and dates[0] == dates[1]:
            return Sameness.OTHER_ETAG
        return Sameness.CHANGED
    if None not in dates:
        return Sameness.LIKELY if dates[0] == dates[1] else Sameness.CHANGED
    return Sameness.UNKNOWN


def _opaque(etag: str | None) -> str | None:
    """The ETag's opaque part, for the weak comparison of RFC 9110 8.8.3.2."""
    if etag is None:
        return None
    return etag[2:] if etag.startswith("W/") else etag


_PAGE_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--")
_PAGE_TYPES = ("text/html", "application/xhtml+xml")


def is_page_type(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in _PAGE_TYPES


def looks_like_a_page(head: bytes) -> bool:
    """Does a body starting with ``head`` look like an HTML or XML document?"""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(_PAGE_STARTS) or b"<html" in text[:1024]
