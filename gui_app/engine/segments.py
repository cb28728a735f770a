"""Pure arithmetic on inclusive byte ranges: merging, gaps, and dynamic segmentation.

A download's progress is a tuple of done ranges, kept sorted and coalesced. ``next_claim``
decides what a new connection should fetch: the largest region nobody owns, or else the
upper half of the largest region a running connection still owes. No I/O, no threads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gui_app.engine.ranges import ByteRange

__all__ = ["Active", "Claim", "add", "gaps", "merge", "next_claim", "total"]

MIN_SPLIT = 1 << 20


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


@dataclass(frozen=True, slots=True)
class Active:
    """A running connection's claim: it will write ``position`` through ``last`` next."""

    first: int
    position: int
    last: int

    @property
    def owed(self) -> ByteRange | None:
        return ByteRange(self.position, self.last) if self.position <= self.last else None


@dataclass(frozen=True, slots=True)
class Claim:
    """A new connection's region. ``shrink`` names the active connection (by index) whose
    ``last`` must become ``range.first - 1``; None when the region was unclaimed."""

    range: ByteRange
    shrink: int | None = None


def next_claim(
    size: int,
    done: Iterable[ByteRange],
    active: Sequence[Active],
    min_split: int = MIN_SPLIT,
    max_claim: int | None = None,
) -> Claim | None:
    """What a new (or newly idle) connection should fetch next, or None.

    ``max_claim`` caps a claim from an unclaimed region (its first bytes are taken), so
    that connections starting together share the file evenly.
    """
    owed = [a.owed for a in active]
    unclaimed = gaps(size, (*done, *(r for r in owed if r is not None)))
    if unclaimed:
        largest = max(unclaimed, key=lambda r: (r.length, -r.first))
        if max_claim is not None and largest.length > max_claim:
            largest = ByteRange.of_length(largest.first, max(max_claim, 1))
        return Claim(largest)
    best: int | None = None
    for index, region in enumerate(owed):
        if region is None or region.length < 2 * min_split:
            continue
        current = owed[best] if best is not None else None
        if current is None or region.length > current.length:
            best = index
    if best is None:
        return None
    region = owed[best]
    assert region is not None
    split = region.first + region.length // 2
    return Claim(ByteRange(split, region.last), shrink=best)
