"""Origins (scheme, host, port) and what of a download's request belongs to one: its
Authorization and Cookie headers and its login are given for the origin of its address,
and a new address at another origin gets none of them unless its user gives them again
or carries them over on purpose. No httpx here: the app's window asks these too."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from gui_app.engine.api.models import Request, RequestOptions
from gui_app.engine.api.record import DownloadRecord
from gui_app.ground.urls import is_secret_header, redact_url

__all__ = [
    "Origin",
    "host_of",
    "options_at",
    "origin_of",
    "same_origin",
    "secrets_in_words",
    "secrets_of",
]

Origin = tuple[str, str, int | None]  # scheme, host, port


def origin_of(url: str) -> Origin:
    """``url``'s origin (RFC 6454): scheme, host and port, the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def same_origin(a: str, b: str) -> bool:
    return origin_of(a) == origin_of(b)


def host_of(url: str) -> str:
    """The host (and port) of ``url``, for messages: never its credentials."""
    parts = urlsplit(redact_url(url))
    return parts.netloc or redact_url(url)


def secrets_of(request: Request) -> tuple[str, ...]:
    """What of ``request`` is a secret of its origin, in words (no values)."""
    found = sorted({name for name, _ in request.headers if is_secret_header(name)})
    if request.login is not None:
        found.append(f"the login for {request.login.user}")
    return tuple(found)


def secrets_in_words(secrets: tuple[str, ...]) -> str:
    """``("Authorization", "Cookie", "the login for ann")`` as "the Authorization and
    Cookie headers and the login for ann"."""
    headers = [s for s in secrets if not s.startswith("the ")]
    parts = [s for s in secrets if s.startswith("the ")]
    if headers:
        plural = "s" if len(headers) > 1 else ""
        parts.insert(0, f"the {' and '.join(headers)} header{plural}")
    return " and ".join(parts)


def options_at(
    record: DownloadRecord,
    url: str,
    headers: tuple[tuple[str, str], ...] | None,
    *,
    carry_secrets: bool = False,
) -> RequestOptions:
    """The request options ``record`` has at ``url``: ``headers`` when given (the user's
    own for that address), else the old ones; at another origin, unless
    ``carry_secrets``, without the old origin's login and without the old headers (their
    secrets, and a Referer that names where the old link was found)."""
    options = record.options
    if headers is not None:
        options = replace(options, headers=headers)
    if carry_secrets or same_origin(url, record.url):
        return options
    kept = options.headers if headers is not None else ()
    return replace(options, headers=kept, login=None)
