"""The SSRF guard: a webhook URL may only lead to a public address, checked at every send.

Checking the URL's host name is not enough: a name can resolve to an internal
address, resolve differently between the check and the connection (DNS
rebinding), or be written in forms that the C resolver reads as loopback
(`0177.0.0.1`, `2130706433`, `0x7f.1`). So the guard resolves the name itself,
refuses every non-public address, and hands back the addresses it checked: the
sender connects to one of those, never to the name (no second lookup).

No library found does this for httpx (the known ones wrap `requests` or a
specific HTTP client's connection pool), so it is written here, on the standard
`ipaddress` and `socket` modules.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]

METADATA = ipaddress.ip_address("169.254.169.254")
BLOCKED_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
    "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10",
    "ff00::/8",
))


#: the setting that exempts receiver hosts from the guard (`webhooks.config`): a refusal
#: an operator may lift names it, so nobody has to read the code to find it
ALLOW_SETTING = "CIIFLOW_WEBHOOK_ALLOW_HOSTS"


class UnsafeURL(ValueError):
    """A webhook URL refused by the guard; `field` names the input at fault."""

    field = "url"


@dataclass(frozen=True)
class Target:
    """Where to send: the checked addresses to connect to, and the names for Host and SNI."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"

    def url_for(self, address: IPAddress) -> str:
        """The URL with the host replaced by a checked address (the connection goes there)."""
        literal = f"[{address}]" if address.version == 6 else str(address)
        return f"{self.scheme}://{literal}:{self.port}{self.path}"


def refusal(address: IPAddress) -> str | None:
    """Why an address is not public, or None when it may be reached."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return "an IPv4-mapped IPv6 address"
    if address == METADATA:
        return "the cloud metadata address"
    for network in BLOCKED_NETWORKS:
        if address.version == network.version and address in network:
            return f"a non-public address ({network})"
    if not address.is_global or address.is_multicast or address.is_reserved:
        return "a non-public address"
    return None


def parse_literal(host: str) -> IPAddress | None:
    """The address a host written as an IP literal means, read as the C resolver reads it.

    `inet_aton` accepts the legacy forms (octal, hexadecimal, one to four parts),
    exactly what `getaddrinfo` would make of them; IPv6 comes from `ipaddress`.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL: {exc}") from None
    return parts


def check_url(url: str, *, allow_hosts: Iterable[str] = (),
              resolver: Resolver | None = None) -> Target:
    """Parse, resolve and vet a webhook URL; raise `UnsafeURL` naming the reason.

    Hosts in `allow_hosts` (operators' and tests' own receivers) skip the address
    check and may use plain http; everything else must be https to a public address.
    """
    parts = _split(url)
    scheme = (parts.scheme or "").lower()
    host = (parts.hostname or "").lower().rstrip(".")
    allowed = host in {h.lower().strip("[]") for h in allow_hosts}
    if scheme not in ("https", "http"):
        raise UnsafeURL("the URL must use https")
    if scheme == "http" and not allowed:
        raise UnsafeURL(f"the URL must use https (plain http only to a host listed in "
                        f"{ALLOW_SETTING})")
    if not host:
        raise UnsafeURL("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("credentials in the URL are not allowed")
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    addresses = resolve(host, port, resolver=resolver)
    if not allowed:
        for address in addresses:
            reason = refusal(address)
            if reason is not None:
                raise UnsafeURL(f"the host resolves to {reason}; an operator may allow a "
                                f"receiver host by listing it in {ALLOW_SETTING}")
    return Target(scheme, host, port, path, addresses)


def resolve(host: str, port: int, *, resolver: Resolver | None = None) -> tuple[IPAddress, ...]:
    """Every address of the host (a literal is its own answer: no lookup is made)."""
    literal = parse_literal(host)
    if literal is not None:
        return (literal,)
    if host == "localhost" or host.endswith(".localhost"):
        return (ipaddress.ip_address("127.0.0.1"),)
    lookup = resolver or socket.getaddrinfo
    try:
        infos = lookup(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(f"the host does not resolve: {exc.__class__.__name__}") from None
    found: dict[IPAddress, None] = {}
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]
        found[ipaddress.ip_address(raw)] = None
    if not found:
        raise UnsafeURL("the host does not resolve")
    return tuple(found)
