"""Response checks: a range answer must match the request exactly, or nothing is written;
hostile header values give a plain error or are ignored, never a traceback."""

from __future__ import annotations

import httpx
import pytest

from gui_app.engine.api.errors import (
    PermanentError,
    ProtocolError,
    RetryAfterError,
    TransientError,
)
from gui_app.engine.api.models import Validators
from gui_app.engine.api.retry import Backoff
from gui_app.engine.http.checks import (
    Answer,
    Sameness,
    compare,
    looks_like_a_page,
    raise_for_status,
    read_answer,
    retry_after,
)


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers={k.replace("_", "-"): v for k, v in headers.items()})


def check_range_response(
    r: httpx.Response, first: int, last: int | None, size: int | None
) -> Answer:
    return read_answer(r, first, last, known_size=size)


def test_a_matching_range_passes() -> None:
    r = response(206, content_range="bytes 100-199/1000", content_length="100")
    answer = check_range_response(r, 100, 199, 1000)
    assert (answer.first, answer.last, answer.size) == (100, 199, 1000)


@pytest.mark.parametrize(
    ("content_range", "error"),
    [
        ("bytes 101-199/1000", ProtocolError),  # off by one at the start
        ("bytes 100-198/1000", ProtocolError),  # off by one at the end
        ("bytes 100-200/1000", ProtocolError),
        ("bytes 100-199/*", ProtocolError),  # part of a file of unknown size
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


@pytest.mark.parametrize(
    "value", ["\u00b2", "\u0663", "Wed, 21 Oct 99999999999999999999 07:28:00 GMT", "-5", "1e9"]
)
def test_hostile_retry_after_values_are_ignored(value: str) -> None:
    assert retry_after(value) is None
    raw = httpx.Response(503, headers=[(b"retry-after", value.encode())])
    with pytest.raises(TransientError) as caught:
        raise_for_status(raw)
    assert not isinstance(caught.value, RetryAfterError)


def test_retry_after_zero_keeps_a_floor() -> None:
    backoff = Backoff(base=0.5, cap=30.0)
    assert backoff.delay(1, 0.0, rand=lambda: 0.0) >= 0.25
    assert backoff.delay(4, 0.0, rand=lambda: 0.0) >= 2.0
    assert backoff.delay(1, 7.0, rand=lambda: 0.0) == 7.0


def test_sizes_beyond_any_file_are_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        read_answer(response(200, content_length=str(1 << 64)), 0, None, known_size=None)
    with pytest.raises(ProtocolError):
        read_answer(response(206, content_range=f"bytes 0-9/{1 << 64}"), 0, None, known_size=None)


def test_an_empty_object_answers_416_with_a_zero_total() -> None:
    answer = read_answer(response(416, content_range="bytes */0"), 0, None, known_size=None)
    assert (answer.size, answer.status) == (0, 416)
    with pytest.raises(ProtocolError):
        read_answer(response(416, content_range="bytes */10"), 0, None, known_size=None)


def test_codings_are_refused_on_parts_and_on_known_sizes() -> None:
    with pytest.raises(ProtocolError, match="gzip"):
        read_answer(
            response(206, content_range="bytes 0-9/10", content_encoding="gzip"),
            0,
            None,
            known_size=None,
        )
    with pytest.raises(ProtocolError, match="br"):
        read_answer(response(200, content_encoding="br"), 0, None, known_size=10)
    coded = read_answer(
        response(200, content_encoding="gzip", content_length="5"), 0, None, known_size=None
    )
    assert (coded.size, coded.coding) == (5, "gzip")  # kept as sent, like curl


def answer(etag: str | None, date: str | None, size: int | None = 10) -> Answer:
    return Answer(206, 0, 9, size, Validators(etag, date), None, "identity")


@pytest.mark.parametrize(
    ("stored", "got", "verdict"),
    [
        (('"a"', "d1"), answer('"a"', "d1"), Sameness.SAME),
        (('"a"', "d1"), answer('"b"', "d2"), Sameness.CHANGED),
        (('"a"', "d1"), answer('"b"', "d1"), Sameness.OTHER_ETAG),
        (('"a"', None), answer('"b"', None), Sameness.CHANGED),
        ((None, "d1"), answer(None, "d2"), Sameness.CHANGED),
        ((None, "d1"), answer(None, "d1"), Sameness.LIKELY),  # a date is no proof
        (('W/"a"', "d1"), answer('"a"', "d1"), Sameness.LIKELY),  # weak comparison
        (('"a"', None), answer('W/"a"', None), Sameness.LIKELY),
        (('"a"', "d1"), answer(None, None, size=99), Sameness.EXPIRED),
        (('"a"', "d1"), answer('"a"', "d1", size=99), Sameness.CHANGED),
        ((None, None), answer('"x"', "d"), Sameness.UNKNOWN),
        (('"a"', None), answer(None, None), Sameness.UNKNOWN),
    ],
)
def test_compare(stored: tuple[str | None, str | None], got: Answer, verdict: Sameness) -> None:
    assert compare(Validators(*stored), 10, got) is verdict


def test_pages_are_sniffed() -> None:
    assert looks_like_a_page(b"\xef\xbb\xbf  <!DOCTYPE HTML><html>")
    assert looks_like_a_page(b"<?xml version='1.0'?><Error>AccessDenied</Error>")
    assert not looks_like_a_page(b"PK\x03\x04 a zip")
    assert not looks_like_a_page(b"\x1f\x8b gzip")
