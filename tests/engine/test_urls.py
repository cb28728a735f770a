"""URL validation gives the specific reason; redaction hides credentials."""

from __future__ import annotations

import pytest

from gui_app.engine.api.errors import InvalidURLError, validate_url
from gui_app.ground.urls import redact_url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "empty URL"),
        ("   ", "empty URL"),
        ("example.com/file", "no scheme"),
        ("ftp://example.com/file", "unsupported scheme 'ftp'"),
        ("file:///etc/passwd", "unsupported scheme 'file'"),
        ("http:///path", "empty host"),
        ("http://exa mple.com/", "spaces"),
        ("http://example.com:99999/", "port"),
        ("http://example.com:0/", "port 0"),
        ("http://a\x01b.com/", "control"),
    ],
)
def test_bad_urls_say_why(url: str, reason: str) -> None:
    with pytest.raises(InvalidURLError, match=reason):
        validate_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a",
        "https://例え.jp/ファイル",
        "http://[::1]:8080/x",
        "HTTP://Example.com/a?b=1",
    ],
)
def test_good_urls(url: str) -> None:
    assert validate_url("  " + url + "\n").lower().startswith(("http://", "https://"))


def test_fragment_is_dropped_and_path_defaults_to_slash() -> None:
    assert validate_url("http://h.com#frag") == "http://h.com/"


def test_redaction() -> None:
    redacted = redact_url("https://user:hunter2@h.com/f?token=abc&x=1&Signature=zzz")
    assert "hunter2" not in redacted
    assert "user" not in redacted
    assert "abc" not in redacted
    assert "zzz" not in redacted
    assert "x=1" in redacted
