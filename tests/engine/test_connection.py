"""Response checks: a range answer must match the request exactly, or nothing is written."""

from __future__ import annotations

import httpx
import pytest

from gui_app.engine.connection import check_range_response, raise_for_status, retry_after
from gui_app.engine.errors import (
    PermanentError,
    ProtocolError,
    RemoteChangedError,
    RetryAfterError,
    TransientError,
)


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={k.replace("_", "-"): v for k, v in headers.items()})


def test_a_matching_range_passes() -> None:
    r = response(206, content_range="bytes 100-199/1000", content_length="100")
    parsed = check_range_response(r, 100, 199, 1000)
    assert parsed.range is not None
    assert (parsed.range.first, parsed.range.last, parsed.total) == (100, 199, 1000)


@pytest.mark.parametrize(
    ("content_range", "error"),
    [
        ("bytes 101-199/1000", ProtocolError),  # off by one at the start
        ("bytes 100-198/1000", ProtocolError),  # off by one at the end
        ("bytes 100-200/1000", ProtocolError),
        ("bytes 100-199/1001", RemoteChangedError),  # the file grew
        ("bytes */1000", ProtocolError),
        ("garbage", ProtocolError),
        ("bytes 199-100/1000", ProtocolError),
    ],
)
def test_mismatches_are_refused(content_range: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_range_response(response(206, content_range=content_range), 100, 199, 1000)


def test_missing_content_range_or_bad_length() -> None:
    with pytest.raises(ProtocolError):
        check_range_response(response(206), 0, 9, 10)
    with pytest.raises(ProtocolError):
        check_range_response(
            response(206, content_range="bytes 0-9/10", content_length="9"), 0, 9, 10
        )


def test_open_ended_range_must_end_at_the_last_byte() -> None:
    check_range_response(response(206, content_range="bytes 5-9/10"), 5, None, None)
    with pytest.raises(ProtocolError):
        check_range_response(response(206, content_range="bytes 5-8/10"), 5, None, None)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, PermanentError),
        (410, PermanentError),
        (403, PermanentError),
        (401, PermanentError),
        (500, TransientError),
        (502, TransientError),
        (429, TransientError),
        (408, TransientError),
    ],
)
def test_status_classes(status: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        raise_for_status(response(status))


def test_retry_after_is_honoured() -> None:
    with pytest.raises(RetryAfterError) as caught:
        raise_for_status(response(503, retry_after="7"))
    assert caught.value.retry_after == 7
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412480 - 10) == 10
    assert retry_after("soon") is None
    assert retry_after("999999") == 600.0
