"""Email login, case-insensitive: `Anne@Studio.fr` and `anne@studio.fr` are one account.

Every password check of the site comes through here (the login page, the shop's checkout
gateway, …), so this is where guessing is slowed down: failed sign-ins are counted per IP
and per account (booker.throttle, limit "login"), and while either is over its limit even
the right password is refused.

A pause per account is a lever against its owner: whoever fails ten times every quarter of
an hour would keep them out for as long as they like. So a browser that has signed in to an
account before carries a device cookie (OWASP's "device cookies"), and its attempts count
in a bucket of their own: a stranger's failures never pause the owner's own devices."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from . import throttle
from .models import normalise_email

LOGIN = "login"
DEVICE_COOKIE = "booke_device"
DEVICE_SALT = "booker.auth.device"
DEVICE_MAX_AGE = 365 * 24 * 3600


def _account_tag(email: str) -> str:
    # The cookie names the account without showing its address.
    return salted_hmac(DEVICE_SALT, email).hexdigest()[:32]


def remember_device(response: HttpResponse, email: str) -> None:
    """After a successful sign-in: this browser is one of the account's devices."""
    value = signing.dumps(
        {"a": _account_tag(normalise_email(email)), "d": secrets.token_urlsafe(12)},
        salt=DEVICE_SALT,
    )
    response.set_cookie(
        DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def login_account(request: HttpRequest | None, email: str) -> str:
    """The name the account's sign-in attempts are counted under: the account, or the
    account on one of its known devices."""
    raw = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if raw and email:
        try:
            device = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
        except signing.BadSignature:
            device = None
        if isinstance(device, dict) and device.get("a") == _account_tag(email):
            return f"{email} device:{device.get('d')}"
    return email


def login_throttled(request: HttpRequest, email: str | None) -> throttle.Throttled | None:
    """Whether sign-ins from this request's IP or to `email` are paused for now."""
    email = normalise_email(email or "")
    return throttle.check_for(request, LOGIN, login_account(request, email))


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = normalise_email(email or username or "")
        # Without a request (shell, management commands) there is nobody to slow down.
        if request is not None and login_throttled(request, email):
            # Stops authenticate() at once (no other backend tried) and says it failed.
            raise PermissionDenied
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None and request is not None and password is not None:
            throttle.record_for(request, LOGIN, login_account(request, email))
        return user
