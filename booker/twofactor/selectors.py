"""Who must give a second factor, and what they have."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def needs_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The one rule: whoever can reach a back office logs in with a second factor.

    /admin/ takes the staff flag, but /cms/ and /dashboard/ take a permission (an editor is not
    staff), so those count too; they are named in `BOOKE_BACK_OFFICE_PERMISSIONS` (settings),
    which keeps the Booker free of Wagtail and Oscar. Clients never need one."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(user.has_perm(perm) for perm in settings.BOOKE_BACK_OFFICE_PERMISSIONS)


def confirmed_totp_device(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def has_second_factor(user: AbstractBaseUser) -> bool:
    """Enrolled: an authenticator app was confirmed with a code. Recovery codes alone are
    not a second factor one can enrol with."""
    return confirmed_totp_device(user) is not None


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return sum(
        device.token_set.count()
        for device in StaticDevice.objects.devices_for_user(user, confirmed=True)
    )


def is_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """This request's session passed the second factor (django-otp's OTPMiddleware set
    `otp_device` from the session)."""
    return getattr(user, "otp_device", None) is not None
