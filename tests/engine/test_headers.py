"""Headers a person types: each bad one refused with its reason (never a header that
smuggles a second line), and groups merged by name with the later group winning."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui_app.ground.headers import browser_headers, merge_headers, parse_header, parse_header_lines


def test_good_headers_are_split_and_trimmed() -> None:
    assert parse_header("  X-Token :  a b:c ") == ("X-Token", "a b:c")
    assert parse_header("Empty:") == ("Empty", "")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("no colon", "looks like 'Name: value'"),
        (": value", "looks like 'Name: value'"),
        ("Bad Name: 1", "letters, digits and -"),
        ("X-Split: a\r\nInjected: b", "control character"),
        ("X-Nul: a\x00b", "control character"),
    ],
)
def test_bad_headers_say_why(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_header(text)


def test_lines_give_a_problem_per_bad_line() -> None:
    headers, problems = parse_header_lines("A: 1\n\nbad\nB: 2")
    assert headers == (("A", "1"), ("B", "2"))
    assert problems == ["Headers, line 3: a header looks like 'Name: value', got 'bad'"]


names = st.sampled_from(["Cookie", "cookie", "Referer", "X-A", "x-a", "User-Agent"])
groups = st.lists(st.lists(st.tuples(names, st.text(max_size=5)), max_size=4), max_size=4)


@given(groups)
def test_merging_keeps_one_of_each_name_the_last_given(
    given_groups: list[list[tuple[str, str]]],
) -> None:
    merged = merge_headers(*given_groups)
    lower = [name.lower() for name, _ in merged]
    assert len(lower) == len(set(lower))
    last = {name.lower(): (name, value) for group in given_groups for name, value in group}
    assert dict(zip(lower, merged, strict=True)) == last


@pytest.mark.parametrize("name", ["Host", "Content-Length", "transfer-encoding", "Connection"])
def test_a_header_that_frames_the_request_is_refused(name: str) -> None:
    """A body's length on a GET would stall or desync a keep-alive peer; Host would
    send one site's request to another's name on every hop."""
    with pytest.raises(ValueError, match="set by Rangeload itself"):
        parse_header(f"{name}: 12")


def test_a_browsers_context_is_one_set_of_headers_and_what_a_person_typed_wins() -> None:
    context = browser_headers(referrer="https://p/", cookies="a=1", user_agent="UA/1")
    assert context == (("Referer", "https://p/"), ("Cookie", "a=1"), ("User-Agent", "UA/1"))
    assert browser_headers(referrer="", cookies=None) == ()
    typed = (("user-agent", "Mine/2"), ("X-A", "b"))
    merged = dict((n.lower(), v) for n, v in merge_headers(context, typed))
    assert merged == {"referer": "https://p/", "cookie": "a=1", "user-agent": "Mine/2", "x-a": "b"}


def test_the_hand_over_and_the_command_line_build_the_same_context() -> None:
    from gui_app.handover import Offer

    offer = Offer("https://h/f", referrer="https://p/", cookies="a=1", user_agent="UA/1")
    assert offer.headers() == browser_headers(
        referrer="https://p/", cookies="a=1", user_agent="UA/1"
    )
