"""Email login, case-insensitive: `Anne@Studio.fr` and `anne@studio.fr` are one account.

Every password check of the site comes through here (the login page, the shop's checkout
gateway, …), so this is where guessing is slowed down: failed sign-ins are counted per IP
and per account (booker.throttle, limit "login"), and while either is over its limit even
the right password is refused."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttle
from .models import normalise_email

LOGIN = "login"


def login_throttled(request, email: str | None) -> throttle.Throttled | None:
    """Whether sign-ins from this request's IP or to `email` are paused for now."""
    return throttle.check_for(request, LOGIN, normalise_email(email or ""))


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, email=None, **kwargs):
        email = normalise_email(email or username or "")
        # Without a request (shell, management commands) there is nobody to slow down.
        if request is not None and login_throttled(request, email):
            # Stops authenticate() at once (no other backend tried) and says it failed.
            raise PermissionDenied
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None and request is not None and password is not None:
            throttle.record_for(request, LOGIN, email)
        return user
