"""Cookies matched per URL as curl's cookie engine matches them (RFC 6265 5.1.3, 5.1.4,
5.4), and cookies.txt read as curl reads it, its errors never showing a value."""

from __future__ import annotations

import pickle

import pytest

from gui_app.engine.api.cookies import Cookie, cookie_header, domain_matches, path_matches
from gui_app.engine.api.cookies_txt import CookieFileError, parse_cookies_txt

NOW = 2_000_000_000.0


def test_domain_path_secure_and_expiry_decide() -> None:
    site = Cookie("a", "1", "example.com", host_only=False)
    host = Cookie("b", "2", "example.com")
    deep = Cookie("c", "3", "example.com", path="/dl")
    secure = Cookie("d", "4", "example.com", secure=True)
    old = Cookie("e", "5", "example.com", expires=NOW - 1)
    jar = [site, host, deep, secure, old]
    assert cookie_header(jar, "http://example.com/dl/x", NOW) == "c=3; a=1; b=2"
    assert cookie_header(jar, "https://example.com/", NOW) == "a=1; b=2; d=4"
    assert cookie_header(jar, "http://cdn.example.com/dl", NOW) == "a=1"
    assert cookie_header(jar, "http://badexample.com/", NOW) is None
    assert cookie_header(jar, "http://example.com/dlx", NOW) == "a=1; b=2"


def test_the_matching_rules() -> None:
    assert domain_matches("a.b.example.com", "example.com")
    assert not domain_matches("1.2.3.4", "2.3.4")
    assert path_matches("/a/b", "/a")
    assert path_matches("/a/b", "/a/")
    assert not path_matches("/ab", "/a")


def test_a_cookie_pickles_as_its_fields_and_hides_its_value() -> None:
    cookie = Cookie("sid", "s3cret", ".Example.COM", host_only=False, expires=NOW)
    assert cookie.domain == "example.com"
    assert pickle.loads(pickle.dumps(cookie)) == cookie
    assert "s3cret" not in repr(cookie)


def test_cookies_txt_as_curl_writes_it() -> None:
    text = (
        "# Netscape HTTP Cookie File\n\n"
        ".example.com\tTRUE\t/\tFALSE\t0\ta\t1\n"
        "example.com\tTRUE\t/\tTRUE\t2100000000\tb\t2\n"
        "#HttpOnly_example.com\tFALSE\t/p\tFALSE\t0\tc\t3\n"
        "example.com\tFALSE\t/\tFALSE\t1000\told\tx\n"
        "example.com\tFALSE\t/\tFALSE\t0\tblank\n"
    )
    got = parse_cookies_txt(text, "jar", NOW)
    assert [(c.name, c.host_only, c.secure, c.expires) for c in got] == [
        ("a", False, False, None),
        ("b", False, True, 2100000000.0),
        ("c", True, False, None),
        ("blank", True, False, None),
    ]
    assert got[2].path == "/p"
    assert got[3].value == ""


@pytest.mark.parametrize(
    "line",
    [
        "example.com\tYES\t/\tFALSE\t0\tsid\tV4LUE",
        "example.com\tTRUE\t/\tFALSE\tsoon\tsid\tV4LUE",
        "example.com TRUE / FALSE 0 sid V4LUE",
        "\tTRUE\t/\tFALSE\t0\tsid\tV4LUE",
    ],
)
def test_a_bad_line_is_named_by_number_never_by_value(line: str) -> None:
    with pytest.raises(CookieFileError) as raised:
        parse_cookies_txt(f"# c\n{line}\n", "jar.txt", NOW)
    assert "jar.txt, line 2" in str(raised.value)
    assert "V4LUE" not in str(raised.value)


def test_only_a_newline_ends_a_line_as_curl_reads_the_file() -> None:
    """str.splitlines would also break at a form feed or U+2028 inside a value."""
    line = "example.org\tFALSE\t/\tFALSE\t0\t"
    text = f"{line}sid\tab\x0ccd\u2028ef\n{line}b\t2\n"
    cookies = parse_cookies_txt(text, "jar.txt", NOW)
    assert [(c.name, c.value) for c in cookies] == [("sid", "ab\x0ccd\u2028ef"), ("b", "2")]
