"""Asks for the second factor. After django-otp's OTPMiddleware (which tells whether this
session passed it): a person who must give one (`selectors.needs_second_factor`) and has not
in this session reaches nothing but the pages that let them do it or leave."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from . import selectors

# Reachable before the second factor: its own pages, and what lets someone log in as
# someone else, log out, or reset a forgotten password (none of them grants anything).
OPEN_URL_NAMES = frozenset({
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "set_language", "healthz",
})
OPEN_NAMESPACE = "twofactor"


def _is_open(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is not None and (
        OPEN_NAMESPACE in match.namespaces or match.url_name in OPEN_URL_NAMES
    ):
        return True
    # Public files (the logo on the code page); static files never reach the middleware in
    # production (WhiteNoise answers first) but do under runserver's static view.
    return request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL))


class SecondFactorMiddleware:
    """Every surface, not only /admin/, /cms/ and /dashboard/: staff powers also open views
    outside them (a retoucher's files under /portal/, the dashboard's payment actions), so a
    session that passed only the password is held at the door of all of them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if _is_open(request):
            return None
        user = request.user
        if not user.is_authenticated or selectors.is_verified(user):
            return None
        if not selectors.needs_second_factor(user):
            return None
        step = "twofactor:verify" if selectors.has_second_factor(user) else "twofactor:enrol"
        return redirect_to_login(request.get_full_path(), reverse(step))
