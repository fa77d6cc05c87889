"""The public address: where residents' phones reach the receipt check (``<address>/r``).

It is set once, by JUXUAN_PUBLIC_URL (config PUBLIC_BASE_URL). `make run HOST=0.0.0.0`
(or `make lan`) fills it in from the laptop's LAN address when it is not set, so every QR
code on the stubs and the notice-board poster points where a phone on the same Wi-Fi can go.
An address on the loopback interface (127.0.0.1, localhost) reaches nothing but the laptop
itself: the printing pages warn before papers are printed with it.

Run as ``python -m election.address --host 0.0.0.0 --port 5000`` to print the address the
start command uses.
"""
from __future__ import annotations

import argparse
import ipaddress
import socket
from urllib.parse import urlsplit

# Any address outside the LAN works: connecting a UDP socket sends no packet, it only asks
# the kernel which interface (and so which local address) would be used to reach it.
_PROBE = ("192.0.2.1", 9)  # TEST-NET-1 (RFC 5737), never routed to a real host
_ANY = {"", "0.0.0.0", "::", "[::]"}


def lan_address() -> str:
    """This machine's address on its LAN (the default route's interface); 127.0.0.1 if none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_PROBE)
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def public_url(host: str, port: int | str, lan: str | None = None) -> str:
    """The address to print for a server bound to ``host``:``port``: the LAN address when it
    listens on every interface, else the host it was given."""
    if host in _ANY:
        host = lan if lan is not None else lan_address()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal in a URL
    return f"http://{host}:{port}"


def is_loopback(url: str) -> bool:
    """True when ``url`` names this machine only (a phone on the LAN cannot open it)."""
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def receipt_check_url(base: str) -> str:
    """The receipt check page under a public base address."""
    return base.rstrip("/") + "/r"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="居选公开地址 / the public address the start command uses")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args(argv)
    print(public_url(args.host, args.port))


if __name__ == "__main__":
    main()
