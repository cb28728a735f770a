"""no_proxy as curl documents it, as properties over generated hosts, addresses and
networks (hypothesis): names on a label boundary with or without a leading dot, IPv4 and
IPv6 literals with or without brackets, CIDR blocks, ``host:port``, ``*``; and any text at
all parses without an exception (an entry it cannot use is skipped)."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from gui_app.engine.api.no_proxy import bypasses, parse_no_proxy
from gui_app.engine.api.proxies import ProxySettings

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
NAME = (
    st.lists(LABEL, min_size=1, max_size=4)
    .map(".".join)
    .filter(lambda n: not n.replace(".", "").isdigit())
)
V4 = st.ip_addresses(v=4)
V6 = st.ip_addresses(v=6)
PORT = st.integers(1, 65535)


@given(NAME, LABEL, st.booleans())
def test_a_name_matches_itself_and_its_subdomains_on_a_label_boundary(
    name: str, label: str, dot: bool
) -> None:
    entries = parse_no_proxy(("." if dot else "") + name)
    assert bypasses(entries, name, 80)
    assert bypasses(entries, f"{label}.{name}", 443)
    assert bypasses(entries, f"{label}.{name}.".upper(), 443)  # case and a final dot
    assert not bypasses(entries, f"{label}{name}", 80)  # not on a label boundary
    assert not bypasses(entries, f"{name}.{label}x", 80)


@given(st.one_of(V4, V6), st.booleans())
def test_an_address_matches_itself_in_any_spelling(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, brackets: bool
) -> None:
    spelled = address.exploded if address.version == 6 else str(address)
    entry = f"[{spelled}]" if brackets and address.version == 6 else spelled
    entries = parse_no_proxy(f"example.invalid, {entry} ,")
    assert bypasses(entries, str(address), 80)
    other = ipaddress.ip_address(int(address) ^ 1)
    assert not bypasses(entries, str(other), 80)


@given(st.one_of(V4, V6), st.integers(0, 128), st.one_of(V4, V6))
def test_a_cidr_block_matches_exactly_its_addresses(
    base: ipaddress.IPv4Address | ipaddress.IPv6Address,
    bits: int,
    host: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    bits = min(bits, base.max_prefixlen)
    network = ipaddress.ip_network(f"{base}/{bits}", strict=False)
    entries = parse_no_proxy(f"{base}/{bits}")
    inside = host.version == network.version and host in network
    assert bypasses(entries, str(host), 8080) == inside
    assert bypasses(entries, str(network.network_address), 80)


@given(st.one_of(NAME, V4.map(str), V6.map(lambda a: f"[{a}]")), PORT, PORT)
def test_a_port_limits_an_entry_to_that_port(host: str, port: int, other: int) -> None:
    entries = parse_no_proxy(f"{host}:{port}")
    bare = host.strip("[]")
    assert bypasses(entries, bare, port)
    assert bypasses(entries, bare, other) == (other == port)


@given(st.text())
def test_any_text_parses_and_star_matches_everything(text: str) -> None:
    entries = parse_no_proxy(text)
    assert isinstance(bypasses(entries, "example.com", 80), bool)
    assert bypasses(parse_no_proxy(text + ",*"), "example.com", 80)


def test_the_environment_chooses_per_url() -> None:
    proxy = "http://127.0.0.1:3128"
    env = {"http_proxy": proxy, "HTTPS_PROXY": proxy, "no_proxy": "localhost,::1,10.0.0.0/8"}
    settings = ProxySettings.from_environment(env)
    assert settings.proxy_for("http://[::1]:8080/f") is None
    assert settings.proxy_for("https://10.2.3.4/f") is None
    assert settings.proxy_for("http://a.localhost/f") is None
    assert settings.proxy_for("http://[::2]/f") == proxy
    assert settings.proxy_for("https://example.com/f") == proxy
    assert ProxySettings.from_environment(env | {"no_proxy": "*"}) == ProxySettings()
