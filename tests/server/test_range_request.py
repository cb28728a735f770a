"""The Range header parser: examples from RFC 9110 14.1.2, edge cases, and properties."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.ground.byteranges import ByteRange
from gui_app.server.range_request import MAX_RANGE_SPECS, RangeVerdict, parse_range_header

R = ByteRange


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-499", (R(0, 499),)),  # RFC 9110 14.1.2's examples, size 10000
        ("bytes=500-999", (R(500, 999),)),
        ("bytes=-500", (R(9500, 9999),)),
        ("bytes=9500-", (R(9500, 9999),)),
        ("bytes=0-0,-1", (R(0, 0), R(9999, 9999))),
        ("bytes= 0-999, 4500-5499, -1000", (R(0, 999), R(4500, 5499), R(9000, 9999))),
        ("bytes=500-600,601-999", (R(500, 999),)),  # adjacent: coalesced
        ("bytes=500-700,601-999", (R(500, 999),)),  # overlapping: coalesced
        ("bytes=9000-,0-1", (R(0, 1), R(9000, 9999))),  # sorted
        ("bytes=0-99999", (R(0, 9999),)),  # last clamped to the size
        ("bytes=-20000", (R(0, 9999),)),  # suffix longer than the file: all of it
        ("BYTES=0-1", (R(0, 1),)),  # the unit is case-insensitive
        ("bytes=0-1,,", (R(0, 1),)),  # empty list elements are allowed
        ("bytes=10000-", RangeVerdict.UNSATISFIABLE),
        ("bytes=10000-20000,-0", RangeVerdict.UNSATISFIABLE),
        ("bytes=-0", RangeVerdict.UNSATISFIABLE),
        ("bytes=5-4", RangeVerdict.IGNORE),  # invalid: the whole header is ignored
        ("bytes=0-1,5-4", RangeVerdict.IGNORE),
        ("bytes=-", RangeVerdict.IGNORE),
        ("bytes=", RangeVerdict.IGNORE),
        ("bytes=a-b", RangeVerdict.IGNORE),
        ("bytes=1.5-2", RangeVerdict.IGNORE),
        ("bytes=+1-2", RangeVerdict.IGNORE),
        ("items=0-1", RangeVerdict.IGNORE),  # unknown unit
        ("0-1", RangeVerdict.IGNORE),
        ("", RangeVerdict.IGNORE),
    ],
)
def test_examples(header: str, expected: object) -> None:
    assert parse_range_header(header, 10_000) == expected


def test_an_empty_file_ignores_ranges() -> None:
    assert parse_range_header("bytes=0-0", 0) is RangeVerdict.IGNORE
    assert parse_range_header("bytes=-5", 0) is RangeVerdict.IGNORE


def test_too_many_ranges_are_ignored_not_amplified() -> None:
    many = "bytes=" + ",".join("0-" for _ in range(MAX_RANGE_SPECS + 1))
    assert parse_range_header(many, 100) is RangeVerdict.IGNORE
    at_cap = "bytes=" + ",".join("0-" for _ in range(MAX_RANGE_SPECS))
    assert parse_range_header(at_cap, 100) == (R(0, 99),)


def test_an_overlong_header_is_ignored() -> None:
    assert parse_range_header("bytes=0-1," + " " * 5000, 100) is RangeVerdict.IGNORE


@given(st.text(max_size=200), st.integers(min_value=0, max_value=10**12))
def test_never_raises(header: str, size: int) -> None:
    result = parse_range_header(header, size)
    assert isinstance(result, (tuple, RangeVerdict))


spec = st.one_of(
    st.tuples(st.integers(0, 300), st.integers(0, 300)).map(lambda t: f"{min(t)}-{max(t)}"),
    st.integers(0, 300).map(lambda f: f"{f}-"),
    st.integers(0, 300).map(lambda n: f"-{n}"),
)


def _expected_offsets(specs: list[str], size: int) -> set[int]:
    """What the specs ask for, computed the slow, obvious way."""
    wanted: set[int] = set()
    for text in specs:
        first, _, last = text.partition("-")
        if first == "":
            wanted |= set(range(max(0, size - int(last)), size))
        elif last == "":
            wanted |= set(range(int(first), size))
        else:
            wanted |= set(range(int(first), min(int(last), size - 1) + 1))
    return wanted


@given(st.lists(spec, min_size=1, max_size=8), st.integers(min_value=1, max_value=300))
def test_satisfiable_sets_give_exactly_the_right_bytes(specs: list[str], size: int) -> None:
    result = parse_range_header("bytes=" + ",".join(specs), size)
    wanted = _expected_offsets(specs, size)
    if not wanted:
        assert result is RangeVerdict.UNSATISFIABLE
        return
    assert isinstance(result, tuple)
    data = bytes(i % 251 for i in range(size))
    served = b"".join(data[r.first : r.last + 1] for r in result)
    assert served == bytes(data[i] for i in sorted(wanted))
    # Sorted, disjoint and not adjacent: never more bytes than the file has.
    for a, b in itertools.pairwise(result):
        assert a.last + 1 < b.first
    assert sum(r.length for r in result) <= size


@given(st.lists(st.tuples(st.integers(0, 10**4), st.integers(0, 10**4)), min_size=1, max_size=6))
def test_round_trip_of_formatted_ranges(pairs: list[tuple[int, int]]) -> None:
    ranges = [R(min(p), max(p)) for p in pairs]
    header = "bytes=" + ",".join(str(r) for r in ranges)
    result = parse_range_header(header, 10**4 + 1)
    assert isinstance(result, tuple)
    assert {i for r in result for i in (r.first, r.last)} <= {
        i for r in ranges for i in (r.first, r.last)
    }
    assert sum(r.length for r in result) == len(
        set().union(*(range(r.first, r.last + 1) for r in ranges))
    )
