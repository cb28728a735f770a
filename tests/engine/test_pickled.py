"""The values the app and its engine process exchange survive the channel's pickling
exactly, and still validate when they arrive (gui_app.ground.pickled)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.engine.api.cookies import Cookie
from gui_app.engine.api.models import (
    Checksum,
    DownloadId,
    DownloadState,
    Login,
    PauseReason,
    Problem,
    Request,
    Validators,
)
from gui_app.engine.api.record import (
    ConnectionSnapshot,
    DownloadRecord,
    DownloadSnapshot,
    Progress,
    Remote,
    Status,
)
from gui_app.ground.byteranges import ByteRange
from gui_app.ground.pickled import by_fields


def round_trip(value: object) -> object:
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


@given(st.integers(0, 2**63), st.integers(0, 2**40))
def test_byte_ranges_come_back_equal(first: int, length: int) -> None:
    byte_range = ByteRange(first, first + length)
    copy = round_trip(byte_range)
    assert copy == byte_range
    assert type(copy) is ByteRange


def test_a_record_with_every_field_set_comes_back_equal() -> None:
    request = Request(
        url="https://example.org/a.zip",
        dest_dir=Path("/tmp/x"),
        filename="a.zip",
        connections=3,
        checksum=Checksum.parse("sha256:" + "0" * 64),
        headers=(("Cookie", "a=b"),),
        rate_limit=4096,
        login=Login("u", "p"),
        proxy="DIRECT",
        sort_into=3,
        cookies=(Cookie("sid", "s", "example.org", False, "/a", True, 2e9),),
    )
    remote = Remote(
        final_url="https://cdn.example.org/a.zip",
        size=1000,
        validators=Validators('"e"', "Tue, 01 Dec 2026 10:00:00 GMT"),
        content_type="application/zip",
        resumable=True,
        filename="a (1).zip",
        folder=Path("/tmp/A"),
        cookies=(Cookie("next", "n", "cdn.example.org", True, "/", True, None),),
    )
    progress = Progress((ByteRange(0, 9), ByteRange(20, 29)), "1:2")
    status = Status(DownloadState.PAUSED, "slow", PauseReason.USER, Problem.LOGIN, 3.25, 1.5, 2.5)
    record = DownloadRecord(DownloadId(7), request, remote, progress, status)
    snapshot = DownloadSnapshot(
        record, 15, 100.0, 2.0, (ConnectionSnapshot(10, 15, 19, 50.0),), (ByteRange(0, 14),)
    )
    assert round_trip(snapshot) == snapshot
    assert round_trip(record) == record


def test_a_value_that_no_longer_validates_is_refused_on_arrival() -> None:
    # Unpickling goes through __init__: a corrupt range cannot slip in unchecked.
    data = pickle.dumps(ByteRange(5, 9)).replace(b"K\x05K\t", b"K\tK\x05")
    with pytest.raises(ValueError, match="invalid byte range"):
        pickle.loads(data)


def test_a_class_with_a_field_init_does_not_take_is_refused() -> None:
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class Odd:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError, match="__init__ does not take"):
        by_fields(Odd)
