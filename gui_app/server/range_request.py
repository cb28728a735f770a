"""Parse a request's ``Range`` header against a representation's size (RFC 9110 14.1-14.2).

The answer is one of three things: ignore the header (malformed, unknown unit, too many
ranges: serve 200 with the whole body), not satisfiable (416), or a sorted tuple of
inclusive ranges with overlapping and adjacent ones coalesced, so that no Range header can
make the server send more bytes than the file holds (the 2011 multi-range attack).
"""

from __future__ import annotations

import enum
import re

from gui_app.ground.byteranges import ByteRange, merge

__all__ = ["MAX_RANGE_SPECS", "RangeVerdict", "parse_range_header"]

MAX_RANGE_SPECS = 64  # more specs than this in one header: ignored, the whole file is sent
MAX_HEADER_LENGTH = 4096

_SPEC = re.compile(r"^(\d*)-(\d*)$")


class RangeVerdict(enum.Enum):
    IGNORE = "ignore"  # answer 200 with the whole representation
    UNSATISFIABLE = "unsatisfiable"  # answer 416 with Content-Range: bytes */SIZE


def parse_range_header(value: str, size: int) -> tuple[ByteRange, ...] | RangeVerdict:
    """Return the ranges to send (sorted, coalesced, clamped to ``size``) or a verdict.

    Never raises, whatever the text.
    """
    if len(value) > MAX_HEADER_LENGTH:
        return RangeVerdict.IGNORE
    unit, sep, range_set = value.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return RangeVerdict.IGNORE
    specs = [spec.strip() for spec in range_set.split(",")]
    # RFC 9110 5.6.1: empty list elements are allowed and ignored, but one is required.
    specs = [spec for spec in specs if spec]
    if not specs or len(specs) > MAX_RANGE_SPECS:
        return RangeVerdict.IGNORE
    if size == 0:
        # Nothing can be sent as a range of an empty body; 14.2 lets us ignore the header.
        return RangeVerdict.IGNORE
    satisfiable: list[ByteRange] = []
    for spec in specs:
        match = _SPEC.match(spec)
        if match is None:
            return RangeVerdict.IGNORE
        first_text, last_text = match.groups()
        if first_text:
            first = int(first_text)
            if last_text:
                last = int(last_text)
                if last < first:
                    return RangeVerdict.IGNORE  # syntactically invalid: the whole header
            else:
                last = size - 1
            if first < size:
                satisfiable.append(ByteRange(first, min(last, size - 1)))
        elif last_text:
            suffix = int(last_text)
            if suffix > 0:
                satisfiable.append(ByteRange(max(0, size - suffix), size - 1))
        else:
            return RangeVerdict.IGNORE  # a lone "-"
    if not satisfiable:
        return RangeVerdict.UNSATISFIABLE
    return merge(satisfiable)
