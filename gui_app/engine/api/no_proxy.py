"""``no_proxy`` as curl documents it (CURLOPT_NOPROXY): a comma-separated list of
entries, each a host name (with or without a leading dot: itself and every subdomain, on a
label boundary), an IPv4 or IPv6 literal (with or without brackets), a CIDR block (v4 or
v6), any of these with ``:port`` (that port only), or ``*`` (every host). Entries that are
none of these are skipped, never a reason to fail a download. Pure: no network, no httpx.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

__all__ = ["NoProxyEntry", "bypasses", "parse_no_proxy"]

log = logging.getLogger(__name__)

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class NoProxyEntry:
    """One entry: ``everything``, or a network, or a host name suffix; ``port`` None: any."""

    name: str | None = None
    network: _Network | None = None
    port: int | None = None
    everything: bool = False

    def matches(self, host: str, port: int | None) -> bool:
        """Whether a request to ``host`` (lower case, IPv6 without brackets) on ``port``
        goes direct."""
        if self.everything:
            return True
        if self.port is not None and port != self.port:
            return False
        address = _address(host)
        if self.network is not None:
            return address is not None and _in(address, self.network)
        if address is not None or self.name is None:
            return False
        host = host.rstrip(".")
        return host == self.name or host.endswith("." + self.name)


def _address(text: str) -> _Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]").partition("%")[0])
    except ValueError:
        return None


def _in(address: _Address, network: _Network) -> bool:
    return address.version == network.version and address in network


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 5


def _split_port(text: str) -> tuple[str, int | None]:
    """``host:port``, ``[v6]:port``, ``[v6]``, a bare v6 literal, or a name."""
    if text.startswith("["):
        inside, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return inside, int(port) if _digits(port) else None
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        if _digits(port):
            return host, int(port)
    return text, None


def _entry(text: str) -> NoProxyEntry | None:
    if text == "*":
        return NoProxyEntry(everything=True)
    if "/" in text:
        try:
            return NoProxyEntry(network=ipaddress.ip_network(text.strip("[]"), strict=False))
        except ValueError:
            return None
    host, port = _split_port(text)
    if port is not None and not 0 < port < 65536:
        return None
    address = _address(host)
    if address is not None:
        return NoProxyEntry(network=ipaddress.ip_network(address), port=port)
    name = host.lstrip("*").lstrip(".").rstrip(".")
    if not name or any(c in name for c in ":[] "):
        return None
    return NoProxyEntry(name=name, port=port)


def parse_no_proxy(value: str) -> tuple[NoProxyEntry, ...]:
    """The entries of a ``no_proxy`` value, in order; unusable ones skipped (and logged,
    they are host names, never secrets)."""
    entries = []
    for raw in value.split(","):
        text = raw.strip().lower()
        if not text:
            continue
        entry = _entry(text)
        if entry is None:
            log.warning("no_proxy: %r is not a host, address, network or *: skipped", text)
        else:
            entries.append(entry)
    return tuple(entries)


def bypasses(entries: tuple[NoProxyEntry, ...], host: str, port: int | None) -> bool:
    """Whether a request to ``host`` on ``port`` goes direct."""
    host = host.lower()
    return any(entry.matches(host, port) for entry in entries)
