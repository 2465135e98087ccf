"""Reading an address someone typed (a photographer's own calendar), without letting it reach
inside the studio's network (server-side request forgery).

Booké's server sits next to things the outside world must not read: the cloud's metadata
service (169.254.169.254, which hands out credentials), the database, the task queue, admin
ports on loopback. An address typed by a person is read only when it leads to a public
address on the Internet:

- only http and https;
- the host is resolved once and every address it resolves to is checked: loopback, private,
  link-local, multicast, reserved, unspecified and shared (carrier-grade NAT) addresses are
  refused, IPv4 and IPv6 alike, IPv4 hidden in IPv6 (mapped ``::ffff:a.b.c.d``, 6to4, Teredo,
  NAT64) unwrapped first;
- the connection goes to the address that was checked, not to a second lookup of the name (a
  name that answers a public address to the check and a private one to the connection, "DNS
  rebinding", gets nowhere); TLS still checks the certificate against the name;
- every redirect opens its connection through the same check, and there are at most
  MAX_REDIRECTS of them;
- no proxy from the environment (it would be the one checked, not the target);
- a size cap and a deadline for the whole body, beside the socket timeouts.

The kept library `advocate` does this for requests but pins urllib3 below 2; this is the
same idea in a few lines of urllib3's own extension points.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests
from django.utils.translation import gettext
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 3
SCHEMES = ("http", "https")
# NAT64's well-known prefix: 64:ff9b::a.b.c.d reaches the IPv4 a.b.c.d through a gateway.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The address is not one Booké reads; the message (in the active language) says why, for
    the person who typed it."""


def normalize_url(url: str) -> str:
    """The address as it will be read: trimmed, and webcal:// (what Apple and Google hand out
    for subscriptions) read as https://."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    return url


def check_scheme(url: str) -> None:
    if urlsplit(url).scheme.lower() not in SCHEMES:
        raise Refused(gettext("Only http and https addresses can be read."))


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries, where it carries one (and will reach it)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]  # (server, client): the client is the one reached
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public Internet: not loopback, private, link-local,
    multicast, reserved, unspecified nor shared, IPv4 inside IPv6 judged as IPv4."""
    # `is_global` is false for loopback, private, link-local, unspecified and shared
    # addresses (IANA's special-purpose registries); multicast and reserved ranges can be
    # "global" there, and are refused all the same.
    return all(
        candidate.is_global and not candidate.is_multicast and not candidate.is_reserved
        for candidate in {address, _embedded_ipv4(address)}
    )


def check_address(address: IPAddress, allowed: Iterable[Network] = ()) -> None:
    if any(address in network or _embedded_ipv4(address) in network for network in allowed):
        return
    if not is_public(address):
        raise Refused(gettext(
            "The address leads to %(address)s, a private or reserved address of a network "
            "that Booké does not reach: give a public address."
        ) % {"address": address})


def resolve(host: str, port: int, allowed: Iterable[Network] = ()) -> list[IPAddress]:
    """Every address `host` resolves to, each checked; refused if any one is not public (a
    name that mixes public and private addresses is not one to trust)."""
    allowed = list(allowed)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(gettext("The address's server name %(host)s is unknown.")
                      % {"host": host}) from exc
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0])
                                   for info in infos))
    if not addresses:
        raise Refused(gettext("The address's server name %(host)s is unknown.")
                      % {"host": host})
    for address in addresses:
        check_address(address, allowed)
    return addresses


class _CheckedConnectionMixin:
    """Opens the socket to an address that `resolve` checked, never to the name again. Mixed
    into urllib3's HTTP(S)Connection, whose attributes it reads (`_dns_host` is the name as
    looked up; `host`, which TLS checks the certificate against, is left as it is)."""

    allowed_networks: tuple[Network, ...] = ()

    def _new_conn(self) -> socket.socket:
        host: str = self._dns_host
        addresses = resolve(host.strip("[]"), self.port, self.allowed_networks)
        last: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (str(address), self.port), self.timeout,
                    source_address=self.source_address, socket_options=self.socket_options,
                )
            except TimeoutError as exc:  # urllib3's own errors, as its _new_conn raises them
                raise ConnectTimeoutError(
                    self, f"Connection to {host} timed out. (connect timeout={self.timeout})"
                ) from exc
            except socket.gaierror as exc:  # not expected for an address literal
                raise NameResolutionError(host, self, exc) from exc
            except OSError as exc:
                last = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")


def _session(allowed: tuple[Network, ...]) -> requests.Session:
    class CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
        allowed_networks = allowed

    class CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
        allowed_networks = allowed

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = CheckedHTTPConnection

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = CheckedHTTPSConnection

    class CheckedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": CheckedHTTPPool, "https": CheckedHTTPSPool,
            }

    session = requests.Session()
    session.trust_env = False  # no proxy, no .netrc from the environment
    session.max_redirects = MAX_REDIRECTS
    adapter = CheckedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def explain(exc: Exception) -> str | None:
    """What a person reads of a failed reading (the technical detail is for the log), or None
    when the failure is not the network's."""
    if isinstance(exc, Refused):
        return str(exc)
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return gettext("The server answered with an error (%(status)d).") % {
            "status": exc.response.status_code}
    if isinstance(exc, requests.exceptions.SSLError):
        return gettext("The server's certificate is not valid for this address (https).")
    if isinstance(exc, requests.Timeout):
        return gettext("The server did not answer in time.")
    if isinstance(exc, requests.ConnectionError):
        return gettext("The server cannot be reached.")
    if isinstance(exc, requests.RequestException):
        return gettext("The address cannot be read.")
    return None


def fetch(url: str, *, max_bytes: int, timeout: tuple[float, float], deadline: float,
          headers: dict[str, str] | None = None,
          allowed_networks: Iterable[str] = ()) -> bytes:
    """The body of `url` (an http error raises requests.HTTPError), read only from public
    addresses, redirects included; refused (`Refused`) otherwise, or when it weighs more than
    `max_bytes` or takes longer than `deadline` seconds in all. `allowed_networks` (CIDR
    strings) opens private networks on purpose: a development server on loopback, the tests."""
    check_scheme(url)
    allowed = tuple(ipaddress.ip_network(n) for n in allowed_networks)
    started = time.monotonic()
    with _session(allowed) as session:
        try:
            response = session.get(url, timeout=timeout, stream=True, headers=headers)
        except requests.TooManyRedirects as exc:
            raise Refused(gettext("The address redirects more than %(count)d times.")
                          % {"count": MAX_REDIRECTS}) from exc
        except requests.exceptions.InvalidSchema as exc:  # a redirect to ftp://, file://…
            raise Refused(gettext("Only http and https addresses can be read.")) from exc
        with response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    raise Refused(gettext("The file is larger than %(size)d MB.")
                                  % {"size": max_bytes // (1024 * 1024)})
                if time.monotonic() - started > deadline:
                    raise Refused(gettext("The server took more than %(seconds)d seconds to "
                                          "send the file.") % {"seconds": deadline})
    return bytes(body)


def post(url: str, *, data: bytes, headers: dict[str, str], timeout: tuple[float, float],
         allowed_networks: Iterable[str] = ()) -> requests.Response:
    """POST `data` to `url` on a public address only (the automation's webhooks: an address a
    staff member typed). A redirect is not followed (a POST is not replayed elsewhere): a 3xx
    is an error like a 4xx. Raises Refused, or requests' errors."""
    check_scheme(url)
    allowed = tuple(ipaddress.ip_network(n) for n in allowed_networks)
    with _session(allowed) as session:
        response = session.post(url, data=data, headers=headers, timeout=timeout,
                                allow_redirects=False)
    if response.is_redirect:
        raise Refused(gettext("The webhook's address redirects elsewhere: give its final "
                              "address."))
    response.raise_for_status()
    return response
