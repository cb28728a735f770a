"""Reading a Netscape cookies.txt as curl does (``lib/cookie.c``), never through
``http.cookiejar``'s ``MozillaCookieJar`` (it refuses lines curl writes and prints their
values in its traceback).

A line is seven tab-separated fields: domain, include-subdomains (``TRUE``/``FALSE``),
path, secure (``TRUE``/``FALSE``), expiry (seconds since the epoch, ``0`` for a session
cookie), name, value (six fields: an empty value). ``#HttpOnly_`` before the domain marks
an HttpOnly cookie; other lines starting with ``#`` and blank lines are skipped. The
include-subdomains flag decides, not a leading dot on the domain (curl writes ``TRUE``
with or without one). Expired cookies are dropped, as curl drops them on loading. A bad
line raises ``CookieFileError`` naming the file and the line number, never the line.
"""

from __future__ import annotations

from pathlib import Path

from gui_app.engine.api.cookies import Cookie

__all__ = ["CookieFileError", "parse_cookies_txt", "read_cookies_txt"]

HTTP_ONLY = "#HttpOnly_"
_FLAGS = {"TRUE": True, "FALSE": False}


class CookieFileError(ValueError):
    """A cookies.txt that cannot be read; the message has no cookie's value."""


def read_cookies_txt(path: Path, now: float) -> list[Cookie]:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as error:
        raise CookieFileError(f"{path}: {error.strerror or error}") from None
    return parse_cookies_txt(text, str(path), now)


def parse_cookies_txt(text: str, where: str, now: float) -> list[Cookie]:
    """The unexpired cookies in ``text`` (a cookies.txt called ``where`` in messages)."""
    cookies: list[Cookie] = []
    for number, raw in enumerate(text.split("\n"), start=1):  # as curl: only \n ends one
        line = raw.strip("\r\n")
        if line.startswith(HTTP_ONLY):
            line = line[len(HTTP_ONLY) :]
        elif line.startswith("#") or not line.strip():
            continue
        cookie = _cookie(line, f"{where}, line {number}")
        if not cookie.expired(now):
            cookies.append(cookie)
    return cookies


def _cookie(line: str, where: str) -> Cookie:
    fields = line.split("\t")
    if len(fields) == 6:
        fields.append("")  # curl: a cookie with a blank value
    if len(fields) != 7:
        raise CookieFileError(
            f"{where}: not a cookies.txt line (7 tab-separated fields, found {len(fields)})"
        )
    domain, subdomains, path, secure, expires, name, value = fields
    if not domain.strip(". ") or not name:
        raise CookieFileError(f"{where}: a cookie needs a domain and a name")
    if subdomains.upper() not in _FLAGS or secure.upper() not in _FLAGS:
        raise CookieFileError(f"{where}: the 2nd and 4th fields are TRUE or FALSE")
    try:
        expiry = int(expires)
    except ValueError:
        raise CookieFileError(f"{where}: the 5th field (expiry) is not a number") from None
    return Cookie(
        name=name,
        value=value,
        domain=domain.strip(),
        host_only=not _FLAGS[subdomains.upper()],
        path=path or "/",
        secure=_FLAGS[secure.upper()],
        expires=None if expiry == 0 else float(expiry),
    )
