"""Byte bookkeeping: the range algebra against plain sets of offsets, and ``Regions``
driven with a fake clock and no HTTP, reserve and commit as separate steps."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from gui_app.engine.download.regions import Lease, Regions, largest_free, worth_splitting
from gui_app.ground.byteranges import ByteRange, add, gaps, merge, total
from tests.kit.clock import FakeClock

R = ByteRange


def offsets(ranges: tuple[ByteRange, ...] | list[ByteRange]) -> set[int]:
    return {i for r in ranges for i in range(r.first, r.last + 1)}


ranges_in = st.lists(
    st.tuples(st.integers(0, 200), st.integers(0, 200)).map(lambda t: R(min(t), max(t))),
    max_size=12,
)


@given(ranges_in)
def test_merge_is_sorted_disjoint_non_adjacent_and_exact(ranges: list[ByteRange]) -> None:
    merged = merge(ranges)
    assert offsets(merged) == offsets(ranges)
    for a, b in itertools.pairwise(merged):
        assert a.last + 1 < b.first  # a gap of at least one byte between parts
    assert total(merged) == len(offsets(ranges))


@given(ranges_in, st.integers(1, 220))
def test_gaps_and_done_partition_the_file(ranges: list[ByteRange], size: int) -> None:
    missing = gaps(size, ranges)
    assert offsets(missing) == set(range(size)) - offsets(ranges)
    assert merge(missing) == missing


def test_examples_at_the_edges() -> None:
    assert merge([R(0, 4), R(5, 9)]) == (R(0, 9),)  # adjacent: one range
    assert merge([R(0, 4), R(6, 9)]) == (R(0, 4), R(6, 9))  # one byte apart: two
    assert gaps(10, [R(0, 9)]) == ()
    assert gaps(10, []) == (R(0, 9),)
    assert gaps(10, [R(1, 8)]) == (R(0, 0), R(9, 9))
    assert add((R(0, 4),), R(5, 5)) == (R(0, 5),)
    assert R(3, 3).length == 1
    assert largest_free(100, [R(0, 24)], max_claim=25) == R(25, 49)
    assert largest_free(100, [R(0, 99)]) is None


def test_first_claim_is_the_whole_file_then_halves() -> None:
    clock = FakeClock(1000.0)
    regions = Regions(100, min_split=10, clock=clock)
    claimed = regions.claim()
    assert claimed is not None
    first, _ = claimed
    assert (first.first, first.last) == (0, 99)
    second, robbed = regions.claim() or (None, None)
    assert second is not None
    assert robbed is None
    assert (second.first, second.last, first.last) == (50, 99, 49)


def test_bytes_being_written_are_never_offered_as_free() -> None:
    """Reserved but not yet committed bytes belong to their lease (review item 20)."""
    regions = Regions(100, min_split=10, clock=FakeClock(1000.0))
    lease = regions.open(0, 29)
    regions.reserve(lease, 30)  # all of it in flight, nothing committed yet
    claimed = regions.claim()
    assert claimed is not None
    assert claimed[0].first >= 30


def test_no_split_below_the_minimum_or_when_it_saves_no_time() -> None:
    assert not worth_splitting(19, 0.0, 10, 1.0)
    assert worth_splitting(20, 0.0, 10, 1.0)  # no speed known yet: split
    assert not worth_splitting(1000, 2000.0, 10, 1.0)  # done in half a second
    assert worth_splitting(1000, 500.0, 10, 1.0)  # two seconds left


def test_a_region_about_to_finish_is_not_split() -> None:
    """Eight equal connections near their end: the idle one waits (review item 20)."""
    clock = FakeClock(1000.0)
    share = 1000
    regions = Regions(8 * share, min_split=10, clock=clock)
    leases = [regions.open(i * share, (i + 1) * share - 1) for i in range(8)]
    for _ in range(10):  # 16 s at 60 bytes/s each
        clock.advance(1.6)
        for lease in leases:
            offset, n = regions.reserve(lease, 96)
            regions.commit(lease, offset, n)
    offset, n = regions.reserve(leases[0], 40)
    regions.commit(leases[0], offset, n)
    regions.release(leases[0])  # the first one is done; the others owe 40 bytes each
    assert regions.claim(my_speed=60.0) is None  # each finishes within 0.7 s
    clock.advance(1.6)  # now they seem stuck: the oldest owed region is split after all
    claimed = regions.claim(my_speed=60.0)
    assert claimed is not None
    assert claimed[0].last is not None
    assert claimed[0].last - claimed[0].first + 1 == 20


def test_a_crawling_connection_is_taken_over() -> None:
    clock = FakeClock(1000.0)
    regions = Regions(10_000, min_split=100, clock=clock, split_after=1e9)
    slow = regions.open(0, 9999)
    clock.advance(5)
    offset, n = regions.reserve(slow, 10)
    regions.commit(slow, offset, n)
    claimed = regions.claim(my_speed=10_000.0)
    assert claimed is not None
    lease, robbed = claimed
    assert robbed is slow
    assert slow.abandoned
    assert (lease.first, lease.last, slow.last) == (10, 9999, 9)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5000),
    st.integers(1, 8),
    st.integers(1, 300),
    st.none() | st.integers(1, 2000),
    st.randoms(use_true_random=False),
)
def test_a_simulated_download_writes_every_byte_exactly_once(
    size: int, connections: int, min_split: int, max_claim: int | None, rng: random.Random
) -> None:
    """Connections claim, reserve, commit later, fail, get split and taken over, in a
    random order on a fake clock: no byte is ever reserved twice, and all are written."""
    clock = FakeClock(1000.0)
    regions = Regions(
        size,
        min_split=min_split,
        max_claim=max_claim,
        clock=clock,
        split_after=rng.choice([0.0, 0.5, 5.0]),
    )
    written = [0] * size
    reserved: set[int] = set()
    live: list[Lease] = []
    in_flight: list[tuple[Lease, int, int]] = []
    idle = connections
    for _ in range(50_000):
        clock.advance(rng.random() * 0.2)
        action = rng.random()
        if idle and action < 0.3:
            claimed = regions.claim(my_speed=rng.choice([0.0, 1e9]))
            if claimed is not None:
                lease, robbed = claimed
                assert lease.last is not None
                span = set(range(lease.first, lease.last + 1))
                assert not span & reserved, "a claim overlaps reserved bytes"
                assert not span & offsets(list(regions.done))
                if robbed is not None:
                    live.remove(robbed)
                    idle += 1
                live.append(lease)
                idle -= 1
                continue
        if in_flight and action < 0.6:
            lease, offset, n = in_flight.pop(rng.randrange(len(in_flight)))
            for i in range(offset, offset + n):
                written[i] += 1
            regions.commit(lease, offset, n)
            continue
        if live and action < 0.97:
            lease = rng.choice(live)
            offset, n = regions.reserve(lease, rng.randint(1, 64))
            if n:
                chunk = set(range(offset, offset + n))
                assert not chunk & reserved, "a byte reserved twice"
                reserved |= chunk
                in_flight.append((lease, offset, n))
            elif not any(f[0] is lease for f in in_flight):
                regions.release(lease)
                live.remove(lease)
                idle += 1
            continue
        if live and not any(f[0] is live[0] for f in in_flight):
            # A connection fails: what it reserved and committed stays; the rest is free.
            lease = live.pop(0)
            regions.release(lease)
            idle += 1
        if not live and not in_flight and regions.complete():
            break
    while in_flight:
        lease, offset, n = in_flight.pop()
        for i in range(offset, offset + n):
            written[i] += 1
        regions.commit(lease, offset, n)
    assert all(count <= 1 for count in written), "a byte written twice"
    assert set(range(size)) - offsets(list(regions.done)) == set(regions_missing(regions))


def regions_missing(regions: Regions) -> list[int]:
    return sorted(offsets(list(regions.missing())))
