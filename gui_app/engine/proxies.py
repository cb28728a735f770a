"""Which proxy a request goes through: none, one for everything (``-x URL``: http://,
https://, socks5:// or socks5h://, with optional credentials), or the environment's
(``http_proxy``, ``https_proxy``, ``all_proxy`` and ``no_proxy``, upper or lower case),
as curl and wget read them. ``routes`` are httpx mount patterns, most specific first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from gui_app.engine.errors import InvalidURLError

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
    routes: tuple[tuple[str, str | None], ...] = ()  # (pattern, proxy URL or None: direct)

    @classmethod
    def manual(cls, proxy: str, where: str = "--proxy") -> ProxySettings:
        return cls((("all://", _checked(proxy, where)),))

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> ProxySettings:
        def get(name: str) -> str | None:
            return environ.get(name.lower()) or environ.get(name.upper()) or None

        routes: list[tuple[str, str | None]] = []
        for host in (h.strip().lower() for h in (get("no_proxy") or "").split(",")):
            if host == "*":
                return cls()
            if host:
                host = host.lstrip(".")
                routes += [(f"all://{host}", None), (f"all://*.{host}", None)]
        for scheme in ("http", "https"):
            proxy = get(f"{scheme}_proxy")
            if proxy:
                routes.append((f"{scheme}://", _checked(proxy, f"{scheme}_proxy")))
        everything = get("all_proxy")
        if everything:
            routes.append(("all://", _checked(everything, "all_proxy")))
        return cls(tuple(routes)) if any(p for _, p in routes) else cls()

    def proxy_for(self, url: str) -> str | None:
        """The proxy ``url`` goes through (None: direct), as httpx's mounts choose it."""
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        for pattern, proxy in self.routes:
            kind, _, where = pattern.partition("://")
            if kind not in ("all", scheme):
                continue
            if not where or where == host or (where.startswith("*.") and host.endswith(where[1:])):
                return proxy
        return None
