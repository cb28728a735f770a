"""Who owns which bytes of one download: live connections' regions, reserved and committed
bytes, claiming, splitting, taking over and releasing (aria2's ``SegmentMan``, apart from
any HTTP).

A connection holds a ``Lease`` on ``first..last``. It *reserves* bytes before writing them
(advancing ``position``) and *commits* them once written; a split or a takeover can only
move ``last`` down to ``position - 1``, so bytes being written are never handed to anyone
else, and a released lease's reserved-but-uncommitted bytes become free again. Splits and
takeovers happen only when they save time: a region that its own connection finishes
within ``split_after`` seconds is left alone, since every split costs a new request and
the old connection's bytes in flight. Thread-safe; the clock is injectable.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from gui_app.engine.api.options import MIN_SPLIT
from gui_app.engine.api.record import ConnectionSnapshot
from gui_app.engine.download.stats import RollingRate
from gui_app.ground.byteranges import ByteRange, add, gaps, merge, total

__all__ = ["MIN_SPLIT", "Lease", "Regions", "largest_free", "plan", "worth_splitting"]

SPLIT_AFTER = 1.0  # seconds: a region finishing sooner is not split
JUDGE_AFTER = 0.25  # seconds: a younger lease's speed is not known yet
STEAL_AFTER = 2.0  # seconds: younger leases are not taken over; slower ones owe at least this


@dataclass(eq=False)
class Lease:
    """A live connection's region: ``first..last`` (``last`` None: to an unknown end).
    Bytes before ``position`` are reserved: being written, or committed."""

    first: int
    position: int
    last: int | None
    started: float
    rate: RollingRate
    abandoned: bool = False  # its rest went to another connection: its errors are benign

    @property
    def owed(self) -> ByteRange | None:
        if self.last is None or self.position > self.last:
            return None
        return ByteRange(self.position, self.last)

    @property
    def span(self) -> ByteRange | None:
        """Everything this lease owns: reserved, committed and owed."""
        if self.last is None or self.first > self.last:
            return None
        return ByteRange(self.first, self.last)

    @property
    def finished(self) -> bool:
        return self.last is not None and self.position > self.last


def largest_free(
    size: int, taken: Iterable[ByteRange], max_claim: int | None = None
) -> ByteRange | None:
    """The largest region nobody owns (its first ``max_claim`` bytes), or None."""
    free = gaps(size, taken)
    if not free:
        return None
    largest = max(free, key=lambda r: (r.length, -r.first))
    if max_claim is not None and largest.length > max_claim:
        largest = ByteRange.of_length(largest.first, max(max_claim, 1))
    return largest


def plan(size: int, done: Sequence[ByteRange], wanted: int, min_split: int) -> tuple[int, int]:
    """``(connections, share)`` for the bytes still missing: as many connections as
    wanted but none with less than ``min_split``, each starting with an even share."""
    remaining = size - total(done)
    count = max(1, min(wanted, remaining // min_split))
    return count, max(-(-remaining // count), min_split)  # ceiling division


def worth_splitting(owed: int, speed: float, min_split: int, split_after: float) -> bool:
    """A new connection may take half of ``owed`` bytes that one running at ``speed`` would
    take more than ``split_after`` seconds to finish (at least two minimum splits)."""
    if owed < 2 * min_split:
        return False
    return speed <= 0 or owed / speed > split_after


class Regions:
    """The byte bookkeeping of one transfer attempt."""

    def __init__(
        self,
        size: int | None,
        done: Sequence[ByteRange] = (),
        *,
        min_split: int = MIN_SPLIT,
        max_claim: int | None = None,
        split_after: float = SPLIT_AFTER,
        steal_after: float = STEAL_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._done = merge(done)
        self._leases: list[Lease] = []
        self._min_split = min_split
        self._max_claim = max_claim
        self._split_after = split_after
        self._steal_after = steal_after
        self._clock = clock

    # -- what is known ---------------------------------------------------------------------

    @property
    def size(self) -> int | None:
        return self._size

    @property
    def done(self) -> tuple[ByteRange, ...]:
        """Committed bytes: written, though not necessarily synced yet."""
        with self._lock:
            return self._done

    def missing(self) -> tuple[ByteRange, ...]:
        with self._lock:
            return () if self._size is None else gaps(self._size, self._done)

    def complete(self) -> bool:
        with self._lock:
            return self._size is not None and not gaps(self._size, self._done)

    def ended_at(self, size: int) -> None:
        """An unknown-size body ended cleanly: its end is the file's end."""
        with self._lock:
            self._size = size

    def owed_elsewhere(self) -> bool:
        """Does any live lease still owe bytes (which a faster connection might take)?"""
        with self._lock:
            return any(lease.owed is not None for lease in self._leases)

    def snapshot(self) -> tuple[tuple[ConnectionSnapshot, ...], tuple[ByteRange, ...]]:
        with self._lock:
            conns = tuple(
                ConnectionSnapshot(x.first, x.position, x.last, x.rate.rate())
                for x in self._leases
                if x.last is not None
            )
            return conns, self._done

    def leases(self) -> list[Lease]:
        with self._lock:
            return list(self._leases)

    # -- leases ------------------------------------------------------------------------

    def open(self, first: int, last: int | None) -> Lease:
        """A lease on a region the caller already asked the server for (the probe's)."""
        lease = Lease(first, first, last, self._clock(), RollingRate(window=3.0, clock=self._clock))
        with self._lock:
            self._leases.append(lease)
        return lease

    def claim(self, my_speed: float = 0.0) -> tuple[Lease, Lease | None] | None:
        """A region for an idle connection: the largest free one, else the upper half of a
        region worth splitting, else the rest of a crawling connection (returned second,
        so the caller can hang it up). None when nothing is worth taking."""
        with self._lock:
            if self._size is None:
                return None
            now = self._clock()
            taken = [*self._done, *(s for x in self._leases if (s := x.span) is not None)]
            region = largest_free(self._size, taken, self._max_claim)
            robbed: Lease | None = None
            if region is None:
                region = self._split(now)
            if region is None:
                region, robbed = self._steal(now, my_speed)
            if region is None:
                return None
            lease = Lease(
                region.first,
                region.first,
                region.last,
                now,
                RollingRate(window=3.0, clock=self._clock),
            )
            self._leases.append(lease)
            return lease, robbed

    def _split(self, now: float) -> ByteRange | None:
        best: tuple[float, Lease, ByteRange] | None = None
        for lease in self._leases:
            owed = lease.owed
            if owed is None:
                continue
            speed = lease.rate.rate() if now - lease.started >= JUDGE_AFTER else 0.0
            if not worth_splitting(owed.length, speed, self._min_split, self._split_after):
                continue
            seconds = owed.length / speed if speed > 0 else float("inf")
            key = (seconds, owed.length)
            if best is None or key > (best[0], best[2].length):
                best = (seconds, lease, owed)
        if best is None:
            return None
        _, lease, owed = best
        split = owed.first + owed.length // 2
        lease.last = split - 1
        return ByteRange(split, owed.last)

    def _steal(self, now: float, my_speed: float) -> tuple[ByteRange | None, Lease | None]:
        """End game: take over the rest of a lease running at under a quarter of our speed
        that would still need more than ``steal_after`` seconds."""
        if my_speed <= 0:
            return None, None
        best: tuple[float, Lease, ByteRange] | None = None
        for lease in self._leases:
            owed = lease.owed
            if owed is None or now - lease.started < self._steal_after:
                continue
            speed = lease.rate.rate()
            seconds = owed.length / max(speed, 1.0)
            crawling = speed * 4 < my_speed and seconds > self._steal_after
            if crawling and (best is None or seconds > best[0]):
                best = (seconds, lease, owed)
        if best is None:
            return None, None
        _, slow, owed = best
        slow.last = slow.position - 1  # whatever it has not reserved yet is ours now
        slow.abandoned = True
        return owed, slow

    def reserve(self, lease: Lease, length: int) -> tuple[int, int]:
        """``(offset, allowed)``: the next bytes ``lease`` may write (``allowed`` may be 0,
        when its region is done or was taken)."""
        with self._lock:
            offset = lease.position
            allowed = length if lease.last is None else max(0, min(length, lease.last - offset + 1))
            lease.position += allowed
            return offset, allowed

    def commit(self, lease: Lease, offset: int, length: int) -> None:
        """Bytes ``offset`` .. ``offset + length - 1``, reserved by ``lease``, are written."""
        if length <= 0:
            return
        lease.rate.add(length)
        with self._lock:
            self._done = add(self._done, ByteRange.of_length(offset, length))

    def release(self, lease: Lease) -> None:
        """The lease's connection is gone; what it reserved but did not commit is free."""
        with self._lock:
            if lease in self._leases:
                self._leases.remove(lease)

    def abandon_all(self) -> list[Lease]:
        """Every byte is written (or the attempt ends): mark the live leases abandoned."""
        with self._lock:
            for lease in self._leases:
                lease.abandoned = True
            return list(self._leases)

    def done_bytes(self) -> int:
        with self._lock:
            return total(self._done)
