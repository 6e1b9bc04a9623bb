"""The SSRF guard refuses every hostile URL with a clear error and lets allow-listed ones by.

DNS answers come from a stub of ``socket.getaddrinfo`` (the socket layer), so nothing leaves
the machine.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from gorunchat.adapters.net.ssrf import AllowList, SsrfBlocked, check_url

FAKE_DNS: dict[str, list[str]] = {
    "public.example": ["93.184.216.34"],
    "evil-loopback.example": ["127.0.0.1"],
    "evil-private.example": ["10.1.2.3"],
    "evil-mixed.example": ["93.184.216.34", "192.168.1.1"],
    "evil-metadata.example": ["169.254.169.254"],
    "evil-v6.example": ["::1"],
    "evil-mapped.example": ["::ffff:10.0.0.1"],
    "evil-cgnat.example": ["100.100.100.200"],
    "intranet.corp": ["10.0.0.5"],
    "api.partner.example": ["93.184.216.35"],
}


def fake_getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
    if host not in FAKE_DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    out = []
    for addr in FAKE_DNS[host]:
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        sockaddr = (addr, int(port or 0), 0, 0) if ":" in addr else (addr, int(port or 0))
        out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
    return out


@pytest.fixture(autouse=True)
def stub_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    yield


HOSTILE = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.0.0.1:6379/", "loopback"),
    ("http://127.255.255.254/", "loopback"),
    ("http://localhost/", "internal name"),
    ("http://LOCALHOST./admin", "internal name"),
    ("http://foo.localhost/", "internal name"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://172.31.255.255/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://169.254.169.254/computeMetadata/v1/", "metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "internal name"),
    ("http://metadata/", "internal name"),
    ("http://169.254.0.1/", "link-local"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://100.127.255.254/", "carrier-grade NAT"),
    ("http://224.0.0.1/", "multicast"),
    ("http://239.255.255.250/", "multicast"),
    ("http://255.255.255.255/", "private"),       # broadcast
    ("http://2130706433/", "loopback"),           # decimal 127.0.0.1
    ("http://017700000001/", "loopback"),         # octal 127.0.0.1
    ("http://0177.0.0.1/", "loopback"),           # octal first octet
    ("http://0x7f000001/", "loopback"),           # hex
    ("http://0x7f.0x0.0x0.0x1/", "loopback"),     # hex octets
    ("http://127.1/", "loopback"),                # short form
    ("http://3232235521/", "private"),            # decimal 192.168.0.1
    ("http://0xa9.0xfe.0xa9.0xfe/", "metadata"),  # hex 169.254.169.254
    ("http://2852039166/", "metadata"),           # decimal 169.254.169.254
    ("http://[::1]/", "loopback"),
    ("http://[::]/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),   # IPv4-mapped
    ("http://[::ffff:7f00:1]/", "loopback"),      # IPv4-mapped, hex
    ("http://[::ffff:169.254.169.254]/", "metadata"),
    ("http://[::127.0.0.1]/", "loopback"),        # IPv4-compatible
    ("http://[::10.0.0.1]/", "private"),          # IPv4-compatible
    ("http://[fe80::1]/", "link-local"),
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://[fc00::1]/", "private"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://[ff02::1]/", "multicast"),
    ("http://[2002:7f00:1::]/", "loopback"),      # 6to4 wrapping 127.0.0.1
    ("http://[64:ff9b::a9fe:a9fe]/", "metadata"),  # NAT64 wrapping 169.254.169.254
    ("http://evil-loopback.example/", "loopback"),
    ("http://evil-private.example/", "private"),
    ("http://evil-mixed.example/", "private"),    # one bad answer is enough
    ("http://evil-metadata.example/", "metadata"),
    ("http://evil-v6.example/", "loopback"),
    ("http://evil-mapped.example/", "private"),
    ("http://evil-cgnat.example/", "carrier-grade NAT"),
    ("http://nonexistent.example/", "does not resolve"),
    ("file:///etc/passwd", "Only http and https"),
    ("gopher://127.0.0.1:70/", "Only http and https"),
    ("ftp://public.example/", "Only http and https"),
    ("http://user:pw@public.example/", "credentials"),
    ("http:///nohost", "no host"),
]


def test_table_has_at_least_forty_hostile_urls() -> None:
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize(("url", "why"), HOSTILE)
def test_hostile_url_is_refused_with_a_clear_error(url: str, why: str) -> None:
    with pytest.raises(SsrfBlocked) as caught:
        check_url(url)
    assert caught.value.code == "URL_NOT_ALLOWED"
    assert why in caught.value.message


def test_public_host_passes_and_returns_the_pinned_addresses() -> None:
    target = check_url("https://public.example/v1")
    assert (target.host, target.port, target.addresses) == (
        "public.example", 443, ("93.184.216.34",))


def test_allowed_addresses_let_a_private_address_pass() -> None:
    allow = AllowList.build(addresses=["127.0.0.1", "10.0.0.0/8"])
    assert check_url("http://127.0.0.1:8080/", allow).addresses == ("127.0.0.1",)
    assert check_url("http://intranet.corp/", allow).addresses == ("10.0.0.5",)
    with pytest.raises(SsrfBlocked, match="private"):
        check_url("http://192.168.0.1/", allow)


def test_allowed_domains_restrict_hosts_and_wildcards_match_subdomains() -> None:
    allow = AllowList.build(domains=["*.partner.example", "https://public.example"])
    assert check_url("https://api.partner.example/x", allow).host == "api.partner.example"
    assert check_url("https://public.example/", allow).port == 443
    with pytest.raises(SsrfBlocked, match="not in the allowed domains"):
        check_url("http://public.example/", allow)  # scheme pinned to https
    with pytest.raises(SsrfBlocked, match="not in the allowed domains"):
        check_url("https://other.example/", allow)


def test_exact_allowed_domain_may_name_an_internal_host_but_wildcards_may_not() -> None:
    assert check_url("http://intranet.corp/", AllowList.build(["intranet.corp"])).addresses
    with pytest.raises(SsrfBlocked, match="private"):
        check_url("http://intranet.corp/", AllowList.build(["*.corp"]))


def test_trusted_hosts_skip_the_private_rule_without_restricting_others() -> None:
    allow = AllowList.build(trusted=["intranet.corp"])
    assert check_url("http://intranet.corp/", allow).addresses == ("10.0.0.5",)
    assert check_url("https://public.example/", allow).host == "public.example"
    with pytest.raises(SsrfBlocked, match="private"):
        check_url("http://evil-private.example/", allow)
