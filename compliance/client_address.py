"""The address of the client behind a request, for limits and consent records (SP-01).

REMOTE_ADDR is the client, unless it is one of `settings.TRUSTED_PROXIES` (addresses or
networks, empty by default). Only then is X-Forwarded-For read, from the right: each proxy
appends the address it received the request from, so the right-most address that is not a
trusted proxy itself is the client. Anything to its left was sent by the client and is not
believed.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in settings.TRUSTED_PROXIES]


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's IP address as text ("" when the request carries none that is valid)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    networks = _networks()

    def trusted(address) -> bool:
        return any(address in network for network in networks)

    if not trusted(remote):
        return str(remote)
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break  # not an address: stop believing the header here
        client = address
        if not trusted(address):
            break
    return str(client)
