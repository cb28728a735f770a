"""Segment arithmetic: merge, gaps and dynamic claims, checked against plain sets of offsets."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from gui_app.engine.ranges import ByteRange
from gui_app.engine.segments import Active, add, gaps, merge, next_claim, total

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


def test_first_claim_is_the_whole_file_then_halves() -> None:
    claim = next_claim(100, (), [], min_split=10)
    assert claim is not None
    assert (claim.range, claim.shrink) == (R(0, 99), None)
    second = next_claim(100, (), [Active(0, 0, 99)], min_split=10)
    assert second is not None
    assert (second.range, second.shrink) == (R(50, 99), 0)
    # The owed part is what is halved, not what was written.
    third = next_claim(100, [R(0, 39)], [Active(0, 40, 99)], min_split=10)
    assert third is not None
    assert third.range == R(70, 99)


def test_max_claim_shares_unclaimed_bytes_evenly() -> None:
    first = next_claim(100, (), [Active(0, 0, 24)], min_split=10, max_claim=25)
    assert first is not None
    assert (first.range, first.shrink) == (R(25, 49), None)


def test_no_split_below_the_minimum() -> None:
    assert next_claim(100, [R(0, 80)], [Active(0, 81, 99)], min_split=10) is None
    assert next_claim(100, [R(0, 79)], [Active(0, 80, 99)], min_split=10) is not None


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5000),
    st.integers(1, 8),
    st.integers(1, 300),
    st.none() | st.integers(1, 2000),
    st.randoms(),
)
def test_a_simulated_download_writes_every_byte_exactly_once(
    size: int, connections: int, min_split: int, max_claim: int | None, rng: random.Random
) -> None:
    """Connections claim, write random-sized chunks, get split and finish, in random order."""
    written = [0] * size
    done: tuple[ByteRange, ...] = ()
    active: list[Active] = []
    idle = connections
    steps = 0
    while steps < 100_000:
        steps += 1
        if idle and rng.random() < 0.5:
            claim = next_claim(size, done, active, min_split, max_claim)
            if claim is not None:
                if claim.shrink is None and max_claim is not None:
                    assert claim.range.length <= max_claim
                if claim.shrink is not None:
                    old = active[claim.shrink]
                    assert old.position <= claim.range.first  # never cut written bytes
                    assert claim.range.first - old.position >= min_split
                    active[claim.shrink] = Active(old.first, old.position, claim.range.first - 1)
                for a in active:
                    owed = a.owed
                    assert (
                        owed is None
                        or owed.last < claim.range.first
                        or owed.first > claim.range.last
                    )
                assert not offsets(list(done)) & offsets([claim.range])
                active.append(Active(claim.range.first, claim.range.first, claim.range.last))
                idle -= 1
                continue
        if not active:
            if not idle or next_claim(size, done, active, min_split, max_claim) is None:
                break
            continue
        index = rng.randrange(len(active))
        a = active[index]
        if a.position > a.last:
            active.pop(index)
            idle += 1
            continue
        n = min(rng.randint(1, 64), a.last - a.position + 1)
        for i in range(a.position, a.position + n):
            written[i] += 1
        done = add(done, R(a.position, a.position + n - 1))
        active[index] = Active(a.first, a.position + n, a.last)
    assert written == [1] * size
    assert done == (R(0, size - 1),)
