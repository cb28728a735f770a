"""Fault injection for testing download engines: query parameters on a file's URL.

Only active when the app is created with ``faults=True``. Request numbers count every
GET or HEAD to the same path *and* query string, from 1, inside the app instance, so a
test adds a unique ``key=...`` parameter to get fresh counters. See the README for the
list of parameters; ``FaultPlan.from_query`` is the single place they are read.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.utils import formatdate

from gui_app.ground.units import parse_rate
from gui_app.server.files import FileInfo

__all__ = ["CHANGE_XOR", "FaultCounters", "FaultPlan", "changed_info", "changed_reader"]

CHANGE_XOR = 0x5A
_XOR_TABLE = bytes(b ^ CHANGE_XOR for b in range(256))
_EXTENSION_BYTE = b"\xa5"
DEFAULT_SLOW_RATE = 16 * 1024
# Bounds: a test server still serves, so no parameter may hold a connection for ever or
# make a body no one can send.
MAX_STALL = 300.0  # seconds
MAX_CHANGE_SIZE = 1 << 30  # bytes added to (or taken from) the changed version
MAX_RETRY_AFTER = 86_400
MAX_COUNTED = 10_000  # (path, query) pairs whose request numbers are remembered

PARAMETERS = (
    "key",
    "rate",
    "drop_after",
    "drop_times",
    "ignore_range",
    "fail",
    "retry_after",
    "stall",
    "stall_after",
    "stall_times",
    "change_after",
    "change_size",
    "html_after",
    "slow_request",
    "slow_rate",
    "status",
)


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """The faults one URL asks for; all off by default."""

    rate: int | None = None
    drop_after: int | None = None
    drop_times: int | None = None
    ignore_range: bool = False
    fail: int = 0
    retry_after: int = 1
    stall: float = 0.0
    stall_after: int | None = None
    stall_times: int | None = None
    change_after: int | None = None
    change_size: int = 0
    html_after: int | None = None
    slow_request: int | None = None
    slow_rate: int = DEFAULT_SLOW_RATE
    status: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> FaultPlan:
        """Read the fault parameters; raises ValueError naming a bad one."""
        unknown = sorted(set(query) - set(PARAMETERS))
        if unknown:
            raise ValueError(f"unknown fault parameter {unknown[0]!r}")
        try:
            status = _count(query, "status")
            if status is not None and not 200 <= status <= 599:
                raise ValueError("status must be 200-599")
            rate, slow_rate = query.get("rate"), query.get("slow_rate")
            return cls(
                rate=None if rate is None else parse_rate(rate),
                drop_after=_count(query, "drop_after"),
                drop_times=_count(query, "drop_times"),
                ignore_range=query.get("ignore_range", "0") not in ("0", ""),
                fail=_count(query, "fail") or 0,
                retry_after=_count(query, "retry_after", MAX_RETRY_AFTER) or 1,
                stall=_seconds(query, "stall", MAX_STALL),
                stall_after=_count(query, "stall_after"),
                stall_times=_count(query, "stall_times"),
                change_after=_count(query, "change_after"),
                change_size=_change_size(query),
                html_after=_count(query, "html_after"),
                slow_request=_count(query, "slow_request"),
                slow_rate=DEFAULT_SLOW_RATE if slow_rate is None else parse_rate(slow_rate),
                status=status,
            )
        except ValueError as error:
            raise ValueError(f"bad fault parameter: {error}") from None

    def changed(self, number: int) -> bool:
        return self.change_after is not None and number > self.change_after

    def html(self, number: int) -> bool:
        return self.html_after is not None and number > self.html_after

    def rate_for(self, number: int) -> int | None:
        if self.slow_request is not None and number == self.slow_request:
            return self.slow_rate
        return self.rate

    def stall_for(self, number: int) -> float:
        if self.stall_times is not None and number > self.stall_times:
            return 0.0
        return self.stall

    def drop_for(self, number: int) -> int | None:
        if self.drop_times is not None and number > self.drop_times:
            return None
        return self.drop_after


def _count(query: Mapping[str, str], name: str, most: int = 1 << 62) -> int | None:
    if name not in query:
        return None
    text = query[name].strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise ValueError(f"{name} must be a whole number from 0, got {text[:20]!r}")
    value = int(text)
    if value > most:
        raise ValueError(f"{name} must be at most {most}")
    return value


def _seconds(query: Mapping[str, str], name: str, most: float) -> float:
    text = query.get(name, "0")
    value = float(text)
    if not math.isfinite(value) or not 0 <= value <= most:
        raise ValueError(f"{name} must be from 0 to {most:g} seconds, got {text[:20]!r}")
    return value


def _change_size(query: Mapping[str, str]) -> int:
    text = query.get("change_size", "0").strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit() or len(digits) > 12:
        raise ValueError(f"change_size must be a whole number of bytes, got {text[:20]!r}")
    value = int(text)
    if abs(value) > MAX_CHANGE_SIZE:
        raise ValueError(f"change_size must be within {MAX_CHANGE_SIZE} bytes either way")
    return value


class FaultCounters:
    """Request numbers per (path, query string); one instance per app. Only the
    ``limit`` most recently used pairs are remembered, so unique keys cannot grow it."""

    def __init__(self, limit: int = MAX_COUNTED) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._counts: OrderedDict[tuple[str, str], int] = OrderedDict()

    def next(self, path: str, query: str) -> int:
        with self._lock:
            number = self._counts.pop((path, query), 0) + 1
            self._counts[(path, query)] = number
            while len(self._counts) > self._limit:
                self._counts.popitem(last=False)
            return number

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)


def changed_info(info: FileInfo, size_delta: int) -> FileInfo:
    """The metadata of the "changed" version: new strong ETag, newer date, maybe new size."""
    mtime = info.mtime + 3600
    return replace(
        info,
        size=max(0, info.size + size_delta),
        mtime=mtime,
        etag=info.etag[:-1] + '-changed"',
        last_modified=formatdate(mtime, usegmt=True),
    )


def changed_reader(original_size: int) -> ChangedReader:
    return ChangedReader(original_size)


@dataclass(frozen=True, slots=True)
class ChangedReader:
    """Turns bytes read from the original into the changed version's bytes."""

    original_size: int

    def transform(self, offset: int, data: bytes, wanted: int) -> bytes:
        """``data`` was read at ``offset`` from the original; return ``wanted`` bytes."""
        out = data.translate(_XOR_TABLE)
        if len(out) < wanted and offset + len(out) >= self.original_size:
            out += _EXTENSION_BYTE * (wanted - len(out))
        return out[:wanted]
