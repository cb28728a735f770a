"""URL checks with specific reasons, and redaction of credentials for logs and messages.
A bad URL is a ``BadURLError``; the engine raises it again as its own ``InvalidURLError``
(``engine/api/errors.validate_url``)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Request headers that carry secrets: kept with their origin, their values never shown.
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
# A header a user adds whose name says it holds a secret (X-Api-Key, X-Auth-Token,
# X-CSRF-Token, X-Session-Id...) is kept with its origin too.
_SECRET_NAME = re.compile(
    r"auth|token|key|secret|session|csrf|xsrf|pass|signature|cookie|credential|jwt|bearer", re.I
)


def is_secret_header(name: str) -> bool:
    """Does a request header called ``name`` carry a secret of its origin?"""
    return name.lower() in SECRET_HEADERS or bool(_SECRET_NAME.search(name))


__all__ = [
    "SECRET_HEADERS",
    "SUPPORTED_SCHEMES",
    "BadURLError",
    "check_url",
    "redact_text",
    "redact_url",
]

SUPPORTED_SCHEMES = ("http", "https")
_SECRET_PARAM = re.compile(r"token|key|sig|signature|password|passwd|secret|auth|credential", re.I)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_SECRET_HEADER = re.compile(
    r"((?:proxy-)?authorization|cookie|set-cookie)(['\"]?\s*[:=,]\s*['\"]?)([^'\"\r\n)]+)", re.I
)


class BadURLError(ValueError):
    """What is wrong with a URL, in words a user can act on."""


def check_url(text: str) -> str:
    """Return the URL, stripped; raise BadURLError saying exactly what is wrong."""
    url = text.strip()
    if not url:
        raise BadURLError("empty URL")
    if any(c.isspace() for c in url):
        raise BadURLError(f"URL contains spaces: {redact_url(url)!r}")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise BadURLError("URL contains control characters")
    if not _SCHEME.match(url) or "://" not in url:
        raise BadURLError(f"no scheme (http:// or https://): {redact_url(url)!r}")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SUPPORTED_SCHEMES:
        raise BadURLError(f"unsupported scheme {scheme!r}: only http and https")
    try:
        host = parts.hostname
        port = parts.port
    except ValueError as error:
        raise BadURLError(f"invalid port or host: {error}") from None
    if not host:
        raise BadURLError("empty host")
    if port == 0:
        raise BadURLError("invalid port 0")
    if not (host.startswith("[") or ":" in host):  # not an IPv6 literal
        try:
            ascii_host = host.encode("idna")
            ascii_host.decode("idna")  # an A-label ("xn--...") must decode too
        except UnicodeError:
            raise BadURLError(f"invalid host name {host!r}") from None
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def redact_url(url: str) -> str:
    """The URL without user:password and with secret-looking query values as ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    netloc = parts.netloc.rpartition("@")[2] if "@" in parts.netloc else parts.netloc
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """``text`` (a log line, a message) with every URL redacted and the values of
    Authorization and Cookie headers replaced by ``***``."""
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    return _SECRET_HEADER.sub(lambda m: m.group(1) + m.group(2) + "***", text)
