"""What ``rangeload get``'s wget/curl/aria2c-style flags ask of each request: the URL list
(``-i FILE``, ``-`` for standard input), cookies (``-b``, ``--load-cookies`` cookies.txt),
``-e`` referrer, ``-A`` user agent, ``-u`` and ``--netrc`` logins (Basic or Digest, as
the server asks), and ``-H`` headers, which win over the others for the same name.
Cookies and logins stay with their site's origin, and the engine never logs them."""

from __future__ import annotations

import argparse
import getpass
import netrc
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from gui_app.commands.netrc_file import NetrcError, read_netrc
from gui_app.engine import Cookie, CookieFileError, Login, TlsSettings, read_cookies_txt
from gui_app.ground.headers import browser_headers, merge_headers, parse_header

__all__ = [
    "FlagError",
    "RequestFlags",
    "all_urls",
    "parse_headers",
    "tls_settings",
    "urls_from_file",
]


class FlagError(ValueError):
    """A flag that cannot be used; the message names it and says why."""


def urls_from_file(name: str) -> list[str]:
    """``-i``: URLs one a line; blank lines and ``#`` comments are skipped."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).expanduser().read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise FlagError(f"-i {name}: {error}") from None
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


def parse_headers(values: Iterable[str]) -> list[tuple[str, str]]:
    try:
        return [parse_header(value) for value in values]
    except ValueError as error:
        raise FlagError(f"-H: {error}") from None


class RequestFlags:
    """The request flags of one ``rangeload get``, read once; ``headers(url)`` per URL."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._headers = parse_headers(args.headers)
        self._cookies: str | None = args.cookies
        self._referer: str | None = args.referer
        self._user_agent: str | None = args.user_agent
        self._jar = self._load_jar(args.load_cookies) if args.load_cookies else None
        self._login = self._read_login(args.user) if args.user else None
        self._netrc = self._read_netrc() if args.netrc else None

    @staticmethod
    def _load_jar(name: str) -> list[Cookie]:
        try:
            return read_cookies_txt(Path(name).expanduser(), time.time())
        except CookieFileError as error:
            raise FlagError(f"--load-cookies: {error}") from None

    @staticmethod
    def _read_login(value: str) -> Login:
        user, sep, password = value.partition(":")
        if not user:
            raise FlagError("-u needs a user name: -u USER[:PASSWORD]")
        if not sep:
            if not sys.stdin.isatty():
                raise FlagError(f"-u {user}: no password given, and no terminal to ask on")
            password = getpass.getpass(f"Password for {user}: ")
        return Login(user, password)

    @staticmethod
    def _read_netrc() -> netrc.netrc:
        try:
            parsed, warning = read_netrc()
        except NetrcError as error:
            raise FlagError(f"--netrc: {error}") from None
        if warning:
            print(warning, file=sys.stderr)
        return parsed

    def headers(self, url: str) -> tuple[tuple[str, str], ...]:
        context = browser_headers(
            referrer=self._referer, cookies=self._cookies, user_agent=self._user_agent
        )
        return merge_headers(context, self._headers)  # -H replaces, as curl's does

    def cookies(self) -> tuple[Cookie, ...]:
        """``--load-cookies``' cookies, all of them: the engine matches them again for
        every hop's URL (a download site's redirect to its CDN needs the CDN's), so one
        for another site, a Secure one over http or an expired one is never sent."""
        return () if self._jar is None else tuple(self._jar)

    def login(self, url: str) -> Login | None:
        """``-u``'s login, else ``--netrc``'s for the URL's host, else none."""
        if self._login is not None or self._netrc is None:
            return self._login
        found = self._netrc.authenticators(urlsplit(url).hostname or "")
        if found is None or not found[0]:
            return None
        user, _, password = found
        try:
            return Login(user, password or "")
        except ValueError as error:
            raise FlagError(f"--netrc: the login for {urlsplit(url).hostname}: {error}") from None


def all_urls(positional: Sequence[str], input_file: str | None) -> list[str]:
    urls = list(positional) + (urls_from_file(input_file) if input_file else [])
    if not urls:
        raise FlagError("no URL given (as arguments, or with -i FILE)")
    return urls


def tls_settings(args: argparse.Namespace) -> TlsSettings:
    """``--ca-certificate FILE`` and ``--no-check-certificate``, as wget and aria2c."""
    ca_file = Path(args.ca_certificate).expanduser() if args.ca_certificate else None
    return TlsSettings(ca_file=ca_file, verify=not args.no_check_certificate)
