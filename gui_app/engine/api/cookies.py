"""Cookies as cookies, not as one baked ``Cookie`` header: each with its domain (and
whether it is for that host only), path, Secure flag and expiry, so it can be matched
again for every URL a download asks (each redirect hop, a cookies.txt's many sites) as
curl's cookie engine matches it (RFC 6265 5.1.3 domains, 5.1.4 paths, 5.4 the header).

``Cookie``'s value is a secret: it never appears in a repr, a log line or a message.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from gui_app.ground.pickled import by_fields

__all__ = [
    "Cookie",
    "cookie_header",
    "domain_matches",
    "from_set_cookie",
    "path_matches",
    "with_cookie",
    "with_cookies",
]


@by_fields
@dataclass(frozen=True, slots=True)
class Cookie:
    """One cookie. ``domain`` is lower case without a leading dot; ``host_only``: sent to
    exactly that host, else to its subdomains too; ``expires``: seconds since the epoch,
    None for a session cookie."""

    name: str
    value: str = field(repr=False)
    domain: str
    host_only: bool = True
    path: str = "/"
    secure: bool = False
    expires: float | None = None

    def __post_init__(self) -> None:
        if not self.domain:
            raise ValueError("a cookie needs a domain")
        object.__setattr__(self, "domain", self.domain.lstrip(".").lower())
        if not self.path.startswith("/"):
            object.__setattr__(self, "path", "/")

    def expired(self, now: float) -> bool:
        return self.expires is not None and self.expires <= now

    def matches(self, url: str, now: float) -> bool:
        """Whether this cookie goes with a request for ``url`` (RFC 6265 5.4)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if self.expired(now) or not host:
            return False
        if self.secure and parts.scheme.lower() != "https":
            return False
        if self.host_only:
            if host != self.domain:
                return False
        elif not domain_matches(host, self.domain):
            return False
        return path_matches(parts.path or "/", self.path)

    @property
    def key(self) -> tuple[str, str, str]:
        """What a newer cookie of the same name replaces (RFC 6265 5.3 step 11)."""
        return self.name, self.domain, self.path


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def domain_matches(host: str, domain: str) -> bool:
    """RFC 6265 5.1.3: ``host`` is ``domain`` or ends with ``.domain`` (never for an IP)."""
    host, domain = host.lower(), domain.lower().lstrip(".")
    if host == domain:
        return True
    return host.endswith("." + domain) and not _is_ip(host)


def path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 5.1.4."""
    if request_path == cookie_path:
        return True
    if request_path.startswith(cookie_path):
        return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"
    return False


def cookie_header(cookies: Iterable[Cookie], url: str, now: float | None = None) -> str | None:
    """The ``Cookie`` header's value for ``url``: longer paths first (RFC 6265 5.4 step
    2), None when no cookie matches."""
    when = time.time() if now is None else now
    chosen = [c for c in cookies if c.matches(url, when)]
    chosen.sort(key=lambda c: -len(c.path))
    return "; ".join(f"{c.name}={c.value}" for c in chosen) or None


def from_set_cookie(value: str, url: str, now: float) -> Cookie | None:
    """The cookie a ``Set-Cookie`` answered for ``url`` sets (RFC 6265 5.2, 5.3); None
    for one a user agent ignores (no name, a Domain the host is not in, an IP's Domain,
    a single-label Domain such as ``com``)."""
    pair, *attributes = value.split(";")
    name, sep, cookie_value = pair.partition("=")
    name, cookie_value = name.strip(), cookie_value.strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not sep or not name or not host:
        return None
    domain, host_only, secure = host, True, False
    path = parts.path.rsplit("/", 1)[0] or "/"  # the default-path, 5.1.4
    expires: float | None = None
    for attribute in attributes:
        key, _, text = attribute.partition("=")
        key, text = key.strip().lower(), text.strip()
        if key == "domain" and text:
            wanted = text.lstrip(".").lower()
            if "." not in wanted or _is_ip(host) or not domain_matches(host, wanted):
                return None
            domain, host_only = wanted, wanted == host
        elif key == "path" and text.startswith("/"):
            path = text
        elif key == "secure":
            secure = True
        elif key == "max-age" and text.lstrip("-").isdigit():
            expires = now + int(text)
        elif key == "expires" and expires is None:
            expires = _http_date(text)
    return Cookie(name, cookie_value, domain, host_only, path, secure, expires)


def _http_date(text: str) -> float | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def with_cookie(cookies: tuple[Cookie, ...], cookie: Cookie) -> tuple[Cookie, ...]:
    """``cookies`` with ``cookie`` replacing any of the same name, domain and path."""
    return (*(c for c in cookies if c.key != cookie.key), cookie)


def with_cookies(cookies: tuple[Cookie, ...], newer: Iterable[Cookie]) -> tuple[Cookie, ...]:
    """``cookies`` with each of ``newer`` replacing any of the same key."""
    for cookie in newer:
        cookies = with_cookie(cookies, cookie)
    return cookies
