"""How long a signed-in session lasts: 7 days from the sign-in for everyone (SESSION_COOKIE_AGE,
counted from the sign-in, not from the last save as Django's own expiry is), and for staff
BOOKE_STAFF_IDLE_TIMEOUT without a request (ASVS 3.3.1, 3.3.2).

Only requests that carry a session cookie are looked at: anonymous visitors' pages, served
from the page cache (editorial/pagecache), never read the session here, so they get no
`Vary: Cookie` and no `Set-Cookie` from this."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

SIGNED_IN_AT = "booke.signed_in_at"
LAST_SEEN_AT = "booke.last_seen_at"
# The last-seen time is written at most this often: a staff member's every click would
# otherwise be a session write. The idle timeout is then exact to within this.
LAST_SEEN_STEP = 60


def is_staff(user) -> bool:
    return bool(user.is_staff or user.is_superuser)


def start_clocks(request: HttpRequest | None) -> None:
    """At sign-in (booker/receivers.py, on `user_logged_in`): login() has just rotated the
    session key; the session's clocks start now."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


def session_ended(session, user, now: int) -> str:
    """Why this signed-in session is over ("" if it is not)."""
    signed_in = session.get(SIGNED_IN_AT)
    if signed_in is not None and now - signed_in > settings.SESSION_COOKIE_AGE:
        return "expired"
    last_seen = session.get(LAST_SEEN_AT)
    timeout = settings.BOOKE_STAFF_IDLE_TIMEOUT
    if is_staff(user) and timeout and last_seen is not None and now - last_seen > timeout:
        return "idle"
    return ""


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self.enforce(request)
        return self.get_response(request)

    def enforce(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        session = request.session
        now = int(time.time())
        ended = session_ended(session, user, now)
        if ended:
            logout(request)
            if ended == "idle":
                minutes = settings.BOOKE_STAFF_IDLE_TIMEOUT // 60
                messages.info(
                    request,
                    gettext(
                        "You were signed out after %(minutes)d minutes without activity. "
                        "Please sign in again."
                    ) % {"minutes": minutes},
                    fail_silently=True,
                )
            return
        # A session from before these limits (or a sign-in without a request) starts now.
        session.setdefault(SIGNED_IN_AT, now)
        if is_staff(user) and now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_STEP:
            session[LAST_SEEN_AT] = now
