"""Conditional requests, evaluated in RFC 9110 section 13.2.2's order.

1. If-Match (strong comparison), else If-Unmodified-Since: false -> 412.
2. If-None-Match (weak comparison), else If-Modified-Since (GET/HEAD only): a match means
   "not modified" -> 304 for GET and HEAD, 412 for other methods.
3. If-Range (GET with Range only): the range is honoured only when the strong ETag or the
   exact Last-Modified date matches; a weak ETag never matches.
"""

from __future__ import annotations

import enum
from email.utils import parsedate_to_datetime

__all__ = ["Precondition", "evaluate_preconditions", "if_range_matches", "parse_http_date"]


class Precondition(enum.Enum):
    PROCEED = "proceed"
    NOT_MODIFIED = 304
    FAILED = 412


def parse_http_date(value: str) -> int | None:
    """Seconds since the epoch for an HTTP-date, or None if it is not one."""
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        return None  # RFC 9110 5.6.7: an HTTP-date is always GMT; a zone-less one is invalid
    return int(parsed.timestamp())


def _entity_tags(value: str) -> list[str] | None:
    """The entity-tags of an If-Match / If-None-Match list, or None for ``*``."""
    if value.strip() == "*":
        return None
    tags: list[str] = []
    rest = value
    while rest:
        rest = rest.lstrip(" \t,")
        if not rest:
            break
        weak = rest.startswith("W/")
        body = rest[2:] if weak else rest
        if not body.startswith('"'):
            break  # malformed from here on: keep what parsed
        end = body.find('"', 1)
        if end == -1:
            break
        tags.append(("W/" if weak else "") + body[: end + 1])
        rest = body[end + 1 :]
    return tags


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def _strong_match(a: str, b: str) -> bool:
    return not a.startswith("W/") and not b.startswith("W/") and a == b


def _weak_match(a: str, b: str) -> bool:
    return _opaque(a) == _opaque(b)


def evaluate_preconditions(
    headers: dict[str, str], method: str, etag: str, last_modified: int
) -> Precondition:
    """Steps 1-4 of 13.2.2 for an existing representation. ``headers`` has lower-case keys."""
    if_match = headers.get("if-match")
    if if_match is not None:
        tags = _entity_tags(if_match)
        if tags is not None and not any(_strong_match(t, etag) for t in tags):
            return Precondition.FAILED
    else:
        since = headers.get("if-unmodified-since")
        date = parse_http_date(since) if since is not None else None
        if date is not None and last_modified > date:
            return Precondition.FAILED
    safe = method in ("GET", "HEAD")
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = _entity_tags(if_none_match)
        if tags is None or any(_weak_match(t, etag) for t in tags):
            return Precondition.NOT_MODIFIED if safe else Precondition.FAILED
    elif safe:
        since = headers.get("if-modified-since")
        date = parse_http_date(since) if since is not None else None
        if date is not None and last_modified <= date:
            return Precondition.NOT_MODIFIED
    return Precondition.PROCEED


def if_range_matches(value: str, etag: str, last_modified_header: str) -> bool:
    """RFC 9110 13.1.5: does If-Range allow the range? Strong ETag or exact date only."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        return _strong_match(value, etag)
    date = parse_http_date(value)
    return date is not None and date == parse_http_date(last_modified_header)
