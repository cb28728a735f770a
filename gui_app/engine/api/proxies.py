"""Which proxy a request goes through: none, one for everything (``-x URL``: http://,
https://, socks5:// or socks5h://, with optional credentials), or the environment's
(``http_proxy``, ``https_proxy``, ``all_proxy`` and ``no_proxy``, upper or lower case),
as curl and wget read them (``no_proxy`` as curl documents it: ``engine/api/no_proxy.py``).
The proxy is chosen for each request's URL (``proxy_for``), redirect hops included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from gui_app.engine.api.errors import InvalidURLError
from gui_app.engine.api.no_proxy import NoProxyEntry, bypasses, parse_no_proxy

__all__ = ["PROXY_SCHEMES", "ProxySettings", "proxy_label"]

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def proxy_label(proxy: str) -> str:
    """``host:port`` of a proxy URL, for messages: never its credentials."""
    parts = urlsplit(proxy)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.hostname}:{port}" if port else str(parts.hostname)


def _checked(proxy: str, where: str) -> str:
    proxy = proxy.strip()
    if "://" not in proxy:
        proxy = "http://" + proxy  # as curl reads a bare host:port
    parts = urlsplit(proxy)
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise InvalidURLError(
            f"{where}: a proxy is http://, https://, socks5:// or socks5h://HOST:PORT, "
            f"got {proxy_label(proxy) if parts.hostname else proxy!r}"
        )
    return proxy


@dataclass(frozen=True)
class ProxySettings:
    """The proxy for each scheme (None: direct) and the hosts that go direct anyway."""

    http: str | None = None
    https: str | None = None
    other: str | None = None  # all_proxy: for a scheme without its own
    no_proxy: tuple[NoProxyEntry, ...] = ()

    @classmethod
    def manual(cls, proxy: str, where: str = "--proxy") -> ProxySettings:
        checked = _checked(proxy, where)
        return cls(checked, checked, checked)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ProxySettings:
        def get(name: str) -> str | None:
            return environ.get(name.lower()) or environ.get(name.upper()) or None

        def proxy(name: str) -> str | None:
            value = get(name)
            return _checked(value, name) if value else None

        found = cls(proxy("http_proxy"), proxy("https_proxy"), proxy("all_proxy"))
        if not found.routes:
            return cls()
        entries = parse_no_proxy(get("no_proxy") or "")
        if any(entry.everything for entry in entries):
            return cls()
        return replace(found, no_proxy=entries)

    @property
    def routes(self) -> tuple[tuple[str, str], ...]:
        """(scheme, proxy) for each scheme that has one: ``all`` for all_proxy's."""
        given = (("http", self.http), ("https", self.https), ("all", self.other))
        return tuple((scheme, proxy) for scheme, proxy in given if proxy)

    def proxy_for(self, url: str) -> str | None:
        """The proxy ``url`` goes through (None: direct), asked for every request."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        chosen = {"http": self.http, "https": self.https}.get(scheme) or self.other
        if chosen is None or not self.no_proxy:
            return chosen
        try:
            port = parts.port or {"http": 80, "https": 443}.get(scheme)
        except ValueError:
            port = None
        return None if bypasses(self.no_proxy, parts.hostname or "", port) else chosen
