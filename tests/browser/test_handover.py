"""The hand-over message between processes and the app: both forms, and every way a
message can be wrong (each refused with the reason, never half taken)."""

from __future__ import annotations

import json

import pytest

from gui_app.handover import HANDOVER_VERSION, HandoverError, Offer, decode_offers, encode_offers


def test_offers_round_trip() -> None:
    offers = [
        Offer(
            "https://a.example/f.iso",
            referrer="https://a.example/",
            filename="f.iso",
            cookies="sid=1; theme=dark",
            user_agent="Mozilla/5.0",
            page_url="https://a.example/p",
        ),
        Offer("https://b.example/g.zip"),
    ]
    assert decode_offers(encode_offers(offers)) == offers


def test_the_plain_list_of_urls_still_works() -> None:
    assert decode_offers(b'["https://a.example/1", "https://a.example/2"]\n') == [
        Offer("https://a.example/1"),
        Offer("https://a.example/2"),
    ]


def test_an_offer_becomes_the_browsers_request_headers() -> None:
    offer = Offer("https://a/f", referrer="https://a/", cookies="sid=1", user_agent="UA")
    assert offer.headers() == (("Referer", "https://a/"), ("Cookie", "sid=1"), ("User-Agent", "UA"))
    assert Offer("https://a/f").headers() == ()


def test_cookies_never_show_in_a_repr() -> None:
    assert "sid=secret" not in repr(Offer("https://a/f", cookies="sid=secret"))


def message_with(offer: dict[str, object]) -> bytes:
    return json.dumps({"version": HANDOVER_VERSION, "offers": [offer]}).encode()


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b'"a string"', "expected a list of URLs"),
        (b"[1, 2]", "only strings"),
        (json.dumps({"version": 99, "offers": []}).encode(), "protocol version 99"),
        (json.dumps({"version": HANDOVER_VERSION}).encode(), "'offers' must be a list"),
        (json.dumps({"version": HANDOVER_VERSION, "offers": [{}]}).encode(), "'url'"),
        (message_with({"url": "u", "cookies": 5}), "'cookies' must be a string"),
        (message_with({"url": "u", "cookies": "a=1\r\nX-Evil: 1"}), "line break"),
    ],
)
def test_bad_messages_are_refused_with_the_reason(message: bytes, words: str) -> None:
    with pytest.raises(HandoverError, match=words):
        decode_offers(message)
