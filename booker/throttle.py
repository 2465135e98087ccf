"""Rate limits by name: how often one address (IP) or one account may try something.

Every limit of the project is declared in one place, `settings.BOOKE_RATE_LIMITS`:
`{"login": {"ip": "30/15m", "account": "10/15m"}, …}`, rates in django-ratelimit's notation
(count/period: `5/10m`, `3/h`). django-ratelimit counts them in the cache it is told
(`RATELIMIT_USE_CACHE`: Redis in production, shared by every process, with atomic INCR).

The windows are fixed and short: a limit reached lifts by itself when its window ends, so an
attacker who fails on purpose can slow a real client down for minutes, never lock them out
for good (and a completed password reset lifts the account's sign-in limit at once: `reset`).

Callers that have no request (services) pass the values themselves: `ip` as
`booker.http.client_ip` gives it, `account` an email or any other stable name of the thing
guessed at (an invitation, a gallery). Views use the `*_for` forms or the `limit` decorator.

If the cache fails, nothing is limited (logged): a Redis outage must not shut every client
out of their account, and the rest of the site would be down with it anyway.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext
from django_ratelimit.core import get_usage

from .http import client_ip

logger = logging.getLogger(__name__)

IP = "ip"
ACCOUNT = "account"
SCOPES = (IP, ACCOUNT)
GENERATION_SECONDS = 2 * 24 * 3600


@dataclass(frozen=True)
class Throttled:
    """A limit that is reached: which one, and how long before its window ends."""

    name: str
    scope: str
    seconds_left: int

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left / 60))

    @property
    def message(self) -> str:
        return wait_message(self)


def rate(name: str, scope: str) -> str | None:
    """The declared rate of `name` for `scope` (None: that scope is not limited)."""
    return settings.BOOKE_RATE_LIMITS.get(name, {}).get(scope)


def allowed(name: str, scope: str) -> int:
    """How many a window allows (for messages and tests)."""
    declared = rate(name, scope)
    if declared is None:
        raise KeyError(f"no rate limit {name!r} for {scope!r} in BOOKE_RATE_LIMITS")
    return int(declared.split("/", 1)[0])


def _cache():
    return caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]


def _ip_value(ip: str | None) -> str:
    """One value per client: an IPv4 address, or an IPv6 /64 (one subscriber's whole
    network: an attacker gets billions of addresses from it, a household too)."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _account_value(name: str, account: str | None) -> str:
    if not account:
        return ""
    account = account.strip().lower()
    # A completed `reset` moves the account to a new generation, whose counters start at 0.
    generation = _cache().get(_generation_key(name, account), 0)
    return f"{account}#{generation}"


def _generation_key(name: str, account: str) -> str:
    digest = hashlib.sha256(account.encode()).hexdigest()
    return f"booke:throttle:{name}:generation:{digest}"


def _values(name: str, ip: str | None, account: str | None) -> list[tuple[str, str]]:
    values = [(IP, _ip_value(ip)), (ACCOUNT, _account_value(name, account))]
    return [(scope, value) for scope, value in values if value and rate(name, scope)]


def _usage(name: str, scope: str, value: str, *, increment: bool) -> dict | None:
    try:
        return get_usage(
            None,  # the key below needs no request; the method is not checked (ALL)
            group=f"booke.{name}.{scope}",
            key=lambda _group, _request: value,
            rate=rate(name, scope),
            increment=increment,
        )
    except Exception:  # noqa: BLE001 -- a cache outage limits nothing, see the module's doc
        logger.exception("Rate limit %s/%s: the cache failed, not limited", name, scope)
        return None


def check(name: str, *, ip: str | None = None, account: str | None = None) -> Throttled | None:
    """Would one more attempt be too many? Counts nothing."""
    for scope, value in _values(name, ip, account):
        usage = _usage(name, scope, value, increment=False)
        if usage and usage["count"] >= usage["limit"]:
            return Throttled(name, scope, max(0, usage["time_left"]))
    return None


def record(name: str, *, ip: str | None = None, account: str | None = None) -> None:
    """Counts one attempt (a failed sign-in, a sent message) in each scope."""
    for scope, value in _values(name, ip, account):
        _usage(name, scope, value, increment=True)


def attempt(name: str, *, ip: str | None = None, account: str | None = None) -> Throttled | None:
    """Checks, then counts this attempt if it may go ahead. A refused attempt is not counted:
    the window ends when it would have, however often the door is knocked on."""
    throttled = check(name, ip=ip, account=account)
    if throttled is None:
        record(name, ip=ip, account=account)
    return throttled


def reset(name: str, account: str) -> None:
    """Lifts the account limit of `name` for `account` (its counters start afresh)."""
    account = account.strip().lower()
    key = _generation_key(name, account)
    cache = _cache()
    try:
        # Kept longer than any window, after which the old generation's counters are gone.
        if not cache.add(key, 1, GENERATION_SECONDS):
            cache.incr(key)
    except Exception:  # noqa: BLE001 -- see the module's doc
        logger.exception("Rate limit %s: the cache failed, the account's limit not reset", name)


def check_for(request: HttpRequest, name: str, account: str | None = None) -> Throttled | None:
    return check(name, ip=client_ip(request), account=account)


def record_for(request: HttpRequest, name: str, account: str | None = None) -> None:
    record(name, ip=client_ip(request), account=account)


def attempt_for(request: HttpRequest, name: str, account: str | None = None) -> Throttled | None:
    return attempt(name, ip=client_ip(request), account=account)


def wait_message(throttled: Throttled) -> str:
    minutes = throttled.minutes_left
    return ngettext(
        "Too many attempts in a short time. Please try again in %(minutes)d minute.",
        "Too many attempts in a short time. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def refused(request: HttpRequest, throttled: Throttled) -> HttpResponse:
    """The page a throttled person gets from the `limit` decorator: 429, French, and the wait."""
    response = render(
        request,
        "throttled.html",
        {"message": throttled.message, "title": gettext("Please wait a moment")},
        status=429,
    )
    response["Retry-After"] = str(max(1, throttled.seconds_left))
    return response


def limit(
    name: str,
    *,
    account: Callable[[HttpRequest], str | None] | None = None,
    methods: tuple[str, ...] = ("POST",),
) -> Callable:
    """A view decorator counting every `methods` request of `name` (per IP, and per
    `account(request)` when given) and answering `refused` past the limit.

    For views that should count failures only (a wrong gallery code, not a right one), call
    `check_for` before and `record_for` after a failure instead."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                key = account(request) if account else None
                throttled = attempt_for(request, name, key)
                if throttled is not None:
                    logger.info("Rate limit %s/%s reached", name, throttled.scope)
                    return refused(request, throttled)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
