"""Request headers a person gives (``-H``, the app's Advanced fields): each ``Name: value``
checked with the reason it cannot be sent, and groups merged by name, the later winning,
as curl lets ``-H`` replace what its other flags set. ``browser_headers`` is the one
definition of the headers that make a server take Rangeload for the browser that sent a
link (the hand-over, the CLI's ``--referer``, ``--user-agent``, ``-b``, the Add dialog)."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "BROWSER_HEADERS",
    "browser_headers",
    "merge_headers",
    "parse_header",
    "parse_header_lines",
]

Headers = tuple[tuple[str, str], ...]

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 5.1's field-name


# What frames or routes a request: a body's length on a GET stalls or desyncs a peer.
_FRAMING = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "upgrade",
        "te",
        "trailer",
        "keep-alive",
    }
)


def parse_header(text: str) -> tuple[str, str]:
    """``Name: value`` as a pair; ValueError saying what is wrong."""
    name, sep, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise ValueError(f"a header looks like 'Name: value', got {text!r}")
    if not _TOKEN.fullmatch(name):
        raise ValueError(f"a header's name is letters, digits and -, got {name!r}")
    if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
        raise ValueError(f"the {name} header's value holds a control character")
    if name.lower() in _FRAMING:  # wrong for any request Rangeload makes, and for every hop
        raise ValueError(f"the {name} header is set by Rangeload itself, per request")
    return name, value


def parse_header_lines(text: str) -> tuple[Headers, list[str]]:
    """Headers from one a line (blank lines skipped), and a problem per bad line."""
    headers, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                headers.append(parse_header(line))
            except ValueError as error:
                problems.append(f"Headers, line {number}: {error}")
    return tuple(headers), problems


def merge_headers(*groups: Iterable[tuple[str, str]]) -> Headers:
    """One header per name (case-insensitive): a later group's replaces an earlier's."""
    merged: dict[str, tuple[str, str]] = {}
    for group in groups:
        for name, value in group:
            merged.pop(name.lower(), None)
            merged[name.lower()] = (name, value)
    return tuple(merged.values())


# The page's context a browser sends with a link, in the order browsers send them.
BROWSER_HEADERS = ("Referer", "Cookie", "User-Agent")


def browser_headers(
    *, referrer: str | None = None, cookies: str | None = None, user_agent: str | None = None
) -> Headers:
    """The headers of the page a link came from (those given: an empty value sends none).
    Merged under what a person typed (``merge_headers(browser_headers(...), typed)``), as
    curl's ``-H`` replaces what ``--referer`` set."""
    values = (referrer, cookies, user_agent)
    pairs = zip(BROWSER_HEADERS, values, strict=True)
    return tuple((name, value) for name, value in pairs if value)
