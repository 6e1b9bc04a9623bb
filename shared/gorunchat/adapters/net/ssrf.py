"""The SSRF guard: decide whether an outbound URL may be fetched, and to which addresses.

A URL passes when its scheme is http(s), its host is not a forbidden name (``localhost``,
``metadata.google.internal``...), it matches ``allowedDomains`` when that list is set, and
every address the host resolves to is public. Public means ``ipaddress``'s ``is_global`` and
not multicast; IPv6 forms that embed an IPv4 address (mapped ``::ffff:a.b.c.d``, compatible
``::a.b.c.d``, 6to4, NAT64) are judged by the embedded address. Legacy IPv4 spellings
(``2130706433``, ``0177.0.0.1``, ``0x7f.1``) are parsed the way ``inet_aton`` parses them.

Allow-lists work as in LibreChat: ``allowedDomains`` restricts which hosts may be called
(``example.com``, ``*.example.com``, optionally with a scheme and port); an exact, non
wildcard entry is the admin saying "this host is mine", so it may resolve to a private
address. ``allowedAddresses`` lists IPs or CIDRs exempt from the private-address rule.
``trusted`` hosts (the admin's own ``gorunchat.yaml`` servers) are exempt from the name and
private-address rules without restricting anything else.

The addresses returned by :func:`check_url` are what the connection must use: the pinned
clients connect to them, never resolving the name again, which defeats DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import anyio.to_thread

from gorunchat.contracts.errors import BadRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_FORBIDDEN_NAMES = frozenset({
    "localhost", "localhost.localdomain", "metadata", "metadata.google.internal",
    "metadata.goog", "instance-data", "ip6-localhost", "ip6-loopback",
})
_FORBIDDEN_SUFFIXES = (".localhost", ".internal", ".local", ".home.arpa")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_METADATA = frozenset({ipaddress.ip_address("169.254.169.254"),
                       ipaddress.ip_address("fd00:ec2::254")})


class SsrfBlocked(BadRequest):
    """The URL points somewhere the server must not call on a user's behalf."""

    default_code = "URL_NOT_ALLOWED"
    default_message = "This URL is not allowed."


@dataclass(frozen=True)
class AllowList:
    """``allowedDomains`` and ``allowedAddresses`` from ``gorunchat.yaml``."""

    domains: tuple[str, ...] = ()
    addresses: tuple[IPNetwork, ...] = field(default=())
    trusted: tuple[str, ...] = ()

    @classmethod
    def build(cls, domains: list[str] | tuple[str, ...] = (),
              addresses: list[str] | tuple[str, ...] = (),
              trusted: list[str] | tuple[str, ...] = ()) -> AllowList:
        nets = tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses)
        return cls(tuple(d.strip().lower() for d in domains if d.strip()), nets,
                   tuple(t.strip().lower().strip("[]") for t in trusted if t.strip()))

    def address_allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self.addresses)


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect, and the addresses the connection is pinned to."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host spells, in any IPv4 legacy form or IPv6 (zone ids dropped)."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare and all(c in "0123456789abcdefxABCDEFX." for c in bare) and any(
            c.isdigit() for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(int(ip))
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Why an address is forbidden ("private", "loopback"...), or ``None`` when public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            return blocked_reason(inner)
    checks = (
        (ip in _METADATA, "metadata"), (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"), (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT"),
        (ip.is_private, "private"), (ip.is_reserved, "reserved"),
        (not ip.is_global, "non-global"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _domain_matches(entry: str, scheme: str | None, host: str,
                    port: int) -> tuple[bool, bool]:
    """(matches, exact) for one ``allowedDomains`` entry (``scheme=None``: any scheme)."""
    if "://" in entry:
        parts = urlsplit(entry)
        if scheme is not None and parts.scheme and parts.scheme != scheme:
            return False, False
        if parts.port is not None and parts.port != port:
            return False, False
        entry = (parts.hostname or "").lower()
    elif entry.count(":") == 1 and not entry.startswith("["):
        name, _, raw_port = entry.partition(":")
        if raw_port.isdigit() and int(raw_port) != port:
            return False, False
        entry = name
    if entry.startswith("*."):
        base = entry[2:]
        return host == base or host.endswith("." + base), False
    return host == entry.strip("[]"), True


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url.strip())
        host, port = (parts.hostname or ""), parts.port
    except ValueError as exc:
        raise SsrfBlocked(f"The URL is malformed: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise SsrfBlocked(f"Only http and https URLs are allowed, not {scheme or 'none'!r}.")
    if not host:
        raise SsrfBlocked("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise SsrfBlocked("URLs with credentials in them are not allowed.")
    return scheme, host.lower().rstrip("."), port or (443 if scheme == "https" else 80)


def _check_name(scheme: str | None, host: str, port: int, allow: AllowList) -> bool:
    """Apply name rules; ``True`` when an exact allow-list entry trusts the host."""
    if host in allow.trusted:
        return True
    matches = [_domain_matches(e, scheme, host, port) for e in allow.domains]
    if allow.domains and not any(m for m, _ in matches):
        raise SsrfBlocked(f"The host {host!r} is not in the allowed domains.")
    trusted = any(m and exact for m, exact in matches)
    if not trusted and (host in _FORBIDDEN_NAMES or host.endswith(_FORBIDDEN_SUFFIXES)):
        raise SsrfBlocked(f"The host {host!r} is an internal name.")
    return trusted


def _judge(host: str, addresses: list[IPAddress], allow: AllowList, trusted: bool) -> None:
    if not addresses:
        raise SsrfBlocked(f"The host {host!r} does not resolve.")
    for ip in addresses:
        reason = blocked_reason(ip)
        if reason and not trusted and not allow.address_allowed(ip):
            raise SsrfBlocked(f"The host {host!r} resolves to a {reason} address ({ip}).")


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SsrfBlocked(f"The host {host!r} does not resolve.") from exc
    found: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    return found


def check_host(scheme: str | None, host: str, port: int, allow: AllowList) -> Target:
    """Check a host (resolving it once) and return the addresses to pin to.

    ``scheme=None`` is for the connection layer, which has checked the scheme already.
    """
    host = host.lower().strip("[]").rstrip(".")
    trusted = _check_name(scheme, host, port, allow)
    literal = parse_ip_literal(host)
    addresses = [literal] if literal is not None else _resolve(host, port)
    _judge(host, addresses, allow, trusted)
    return Target(scheme or "", host, port, tuple(str(a) for a in addresses))


def check_url_name(url: str, allow: AllowList | None = None) -> None:
    """The checks that need no DNS (scheme, credentials, names, ``allowedDomains``)."""
    scheme, host, port = _split(url)
    allow = allow or AllowList()
    trusted = _check_name(scheme, host, port, allow)
    literal = parse_ip_literal(host)
    if literal is not None:
        _judge(host, [literal], allow, trusted)


def check_url(url: str, allow: AllowList | None = None) -> Target:
    """Check ``url`` against the guard; raise :class:`SsrfBlocked` with a clear message."""
    scheme, host, port = _split(url)
    return check_host(scheme, host, port, allow or AllowList())


async def check_url_async(url: str, allow: AllowList | None = None) -> Target:
    """:func:`check_url` without blocking the event loop on DNS."""
    return await anyio.to_thread.run_sync(check_url, url, allow)
