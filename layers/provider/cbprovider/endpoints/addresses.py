"""Where an endpoint URL may point: checked before the provider sends anything there.

A registered URL is ``https://host[:port]`` (plain ``http`` only where the entry allows it), with no user
info, path, query or fragment. Its host, whether an IP literal in any spelling (``2130706433``,
``0177.0.0.1``, ``0x7f.1``, ``[::ffff:127.0.0.1]``) or a name, and every address that name resolves to,
must not be a loopback, link-local, unspecified, multicast or reserved address, nor a cloud metadata
service: a request the operator's keys sign must never land on the provider's own host or on the
instance metadata service of the platform it runs on.

``CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS=true`` (never set by the template) admits ``127.0.0.1``, over plain
HTTP too, for the local simulators of the tests, the demo and ``sam local invoke``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import msgspec

from cbprovider.errors import ProviderError

ALLOW_LOCAL_ENV = "CFN_PROVIDER_ALLOW_LOCAL_ENDPOINTS"
LOCAL_TEST_ADDRESS = ipaddress.IPv4Address("127.0.0.1")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]
"""``(host, port) -> addresses`` (text); the default asks ``socket.getaddrinfo``."""

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean instance metadata
        "169.254.170.2",  # AWS ECS task metadata and credentials
        "169.254.169.123",  # AWS time sync
        "fd00:ec2::254",  # AWS instance metadata over IPv6
        "fd00:ec2::23",  # AWS DNS over IPv6
        "100.100.100.200",  # Alibaba Cloud metadata
        "168.63.129.16",  # Azure wire server
        "192.0.0.192",  # Oracle Cloud metadata
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*\.?$")


class AddressRefused(ProviderError):
    """A URL, host or address the provider must not call; the message says which rule refused it."""


class Origin(msgspec.Struct, frozen=True):
    """Scheme, host and port: what a request must match to go to an endpoint."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        """The origin of ``url`` (host lower-cased, default ports filled in); ``ValueError`` if none."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL with a host")
        port = parts.port  # raises ValueError for a port out of range
        return cls(scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def local_endpoints_allowed() -> bool:
    return os.environ.get(ALLOW_LOCAL_ENV, "").strip().lower() == "true"


def check_url(url: str, *, allow_plaintext_http: bool, resolver: Resolver | None = None) -> Origin:
    """The origin of ``url`` if the provider may call it; ``AddressRefused`` saying why not.

    ``resolver`` None resolves the host name with ``getaddrinfo``; a name that does not resolve is refused
    (nothing could be sent to it anyway, and an address checked later could differ).
    """
    if any(ch in url for ch in "@?#\\") or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise AddressRefused("must not carry user info, a query, a fragment, backslashes or spaces")
    try:
        if urlsplit(url).path not in ("", "/"):
            raise AddressRefused("must be scheme://host[:port] without a path")
        origin = Origin.of(url)
    except ValueError:
        raise AddressRefused("must be https://host[:port] (a valid port, 1-65535)") from None
    allow_local = local_endpoints_allowed()
    literal = ip_literal(origin.host)
    if literal is None and not _HOST_NAME.match(origin.host):
        raise AddressRefused(f"host {origin.host!r} is not a valid host name or IP address")
    addresses = [literal] if literal is not None else resolve(origin.host, origin.port, resolver)
    for address in addresses:
        refuse_address(address, allow_local=allow_local)
    local_only = allow_local and all(_is_local_test(a) for a in addresses)
    if origin.scheme != "https" and not (allow_plaintext_http or local_only):
        raise AddressRefused("must be https (plain http only where AllowPlaintextHttp is true)")
    return origin


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form a resolver would accept, else None.

    Besides the standard forms, the legacy ``inet_aton`` spellings: one number (``2130706433``), octal or
    hexadecimal parts (``0177.0.0.1``, ``0x7f.0.0.1``) and fewer than four parts (``127.1``).
    """
    text = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if "%" in text:  # an IPv6 zone id: refuse rather than interpret
        raise AddressRefused(f"host {host!r} carries an IPv6 zone id")
    if re.fullmatch(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}", text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            raise AddressRefused(f"host {host!r} is neither a host name nor an IP address") from None
    return None


def resolve(host: str, port: int, resolver: Resolver | None = None) -> list[IPAddress]:
    """Every address ``host`` resolves to; ``AddressRefused`` if it resolves to none."""
    try:
        texts = list(resolver(host, port) if resolver else _getaddrinfo(host, port))
    except OSError as error:
        raise AddressRefused(f"host {host} does not resolve ({type(error).__name__})") from None
    addresses = [ipaddress.ip_address(text.partition("%")[0]) for text in texts]
    if not addresses:
        raise AddressRefused(f"host {host} does not resolve")
    return addresses


def _getaddrinfo(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def refuse_address(address: IPAddress, *, allow_local: bool = False) -> None:
    """``AddressRefused`` if ``address`` (or an IPv4 address embedded in it) is off limits."""
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    # A mapped address is the IPv4 address it carries; other forms are checked as both.
    candidates = [mapped] if mapped is not None else [*_embedded_ipv4(address), address]
    for candidate in candidates:
        if allow_local and _is_local_test(candidate):
            continue
        reason = _forbidden(candidate)
        if reason:
            shown = str(address) if candidate == address else f"{address} ({candidate})"
            raise AddressRefused(f"address {shown} is {reason}")


def _forbidden(address: IPAddress) -> str | None:
    if address in METADATA_ADDRESSES:
        return "a cloud metadata service"
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified or address in _THIS_NETWORK),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    )
    return next((f"{name} (not allowed for an endpoint)" for name, hit in checks if hit), None)


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (6to4, Teredo, NAT64, IPv4-compatible)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    found = [address.sixtofour] if address.sixtofour is not None else []
    if address.teredo:
        found.extend(address.teredo)
    if address in _NAT64 or (address in _COMPATIBLE and int(address) > 1):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _is_local_test(address: IPAddress) -> bool:
    return address == LOCAL_TEST_ADDRESS or (
        isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped == LOCAL_TEST_ADDRESS
    )
