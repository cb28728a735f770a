"""Inclusive byte ranges, their algebra, and the Range / Content-Range header forms.

``ByteRange(first, last)`` is inclusive at both ends, exactly as HTTP writes it
(``bytes=0-99`` is 100 bytes). Neutral ground: the server formats Content-Range and
coalesces requested ranges with these helpers, the engine parses and merges with them,
and neither imports the other, so the two can never disagree by one byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gui_app.ground.pickled import by_fields

__all__ = [
    "ByteRange",
    "ContentRange",
    "add",
    "format_content_range",
    "format_range_header",
    "format_unsatisfied_content_range",
    "gaps",
    "merge",
    "parse_content_range",
    "total",
]


@by_fields
@dataclass(frozen=True, order=True, slots=True)
class ByteRange:
    """Bytes ``first`` through ``last`` inclusive; never empty."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first < 0 or self.last < self.first:
            raise ValueError(f"invalid byte range {self.first}-{self.last}")

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    @classmethod
    def of_length(cls, first: int, length: int) -> ByteRange:
        """The ``length`` bytes starting at ``first`` (``length`` >= 1)."""
        return cls(first, first + length - 1)

    def __contains__(self, offset: object) -> bool:
        return isinstance(offset, int) and self.first <= offset <= self.last

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


@dataclass(frozen=True, slots=True)
class ContentRange:
    """A parsed ``Content-Range``: ``range`` is None for ``bytes */TOTAL`` (416 answers)."""

    range: ByteRange | None
    total: int | None  # None for "*" (unknown complete length)


_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|(\*))/(\d+|\*)\s*$", re.IGNORECASE)


def parse_content_range(value: str) -> ContentRange | None:
    """Parse a Content-Range header (RFC 9110 14.4); None if it is malformed or inconsistent."""
    match = _CONTENT_RANGE.match(value)
    if match is None:
        return None
    first, last, star, total_text = match.groups()
    total = None if total_text == "*" else int(total_text)
    if star is not None:
        return None if total is None else ContentRange(None, total)
    lo, hi = int(first), int(last)
    if hi < lo or (total is not None and hi >= total):
        return None
    return ContentRange(ByteRange(lo, hi), total)


def format_content_range(byte_range: ByteRange, total: int) -> str:
    return f"bytes {byte_range.first}-{byte_range.last}/{total}"


def format_unsatisfied_content_range(total: int) -> str:
    return f"bytes */{total}"


def format_range_header(byte_range: ByteRange | None = None, *, first: int | None = None) -> str:
    """``bytes=FIRST-LAST`` for a range, or ``bytes=FIRST-`` for an open end."""
    if byte_range is not None:
        return f"bytes={byte_range.first}-{byte_range.last}"
    if first is None or first < 0:
        raise ValueError("need a byte range or a non-negative first byte")
    return f"bytes={first}-"


def merge(ranges: Iterable[ByteRange]) -> tuple[ByteRange, ...]:
    """Sort and coalesce: overlapping and adjacent ranges become one."""
    result: list[ByteRange] = []
    for current in sorted(ranges):
        if result and current.first <= result[-1].last + 1:
            if current.last > result[-1].last:
                result[-1] = ByteRange(result[-1].first, current.last)
        else:
            result.append(current)
    return tuple(result)


def add(done: Sequence[ByteRange], new: ByteRange) -> tuple[ByteRange, ...]:
    """``done`` (already merged) with ``new`` folded in."""
    return merge((*done, new))


def total(ranges: Iterable[ByteRange]) -> int:
    """Bytes covered by already-merged ranges."""
    return sum(r.length for r in ranges)


def gaps(size: int, done: Iterable[ByteRange]) -> tuple[ByteRange, ...]:
    """The parts of ``[0, size)`` that ``done`` does not cover, in order."""
    result: list[ByteRange] = []
    cursor = 0
    for r in merge(done):
        if r.first >= size:
            break
        if r.first > cursor:
            result.append(ByteRange(cursor, r.first - 1))
        cursor = max(cursor, r.last + 1)
    if cursor < size:
        result.append(ByteRange(cursor, size - 1))
    return tuple(result)
