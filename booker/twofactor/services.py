"""Enrolment, verification, recovery codes and reset of a second factor (django-otp devices)."""

from __future__ import annotations

import logging
import math

import django_otp
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"


class CodeRefused(Exception):
    """A code that opens nothing, with the reason a person reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_code(code: str) -> str:
    """People type codes with spaces ("123 456") and copy recovery codes with their hyphen."""
    return "".join(ch for ch in code if ch not in " -\t").lower()


def _refuse_if_locked(device: Device) -> None:
    # django-otp's own back-off (1, 2, 4, 8… seconds after each wrong code, per device):
    # verify_token would refuse silently, so say why before trying.
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        seconds = 1
        if locked_until:
            seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        raise CodeRefused(
            ngettext(
                "Too many wrong codes: wait %(seconds)d second and try again.",
                "Too many wrong codes: wait %(seconds)d seconds and try again.",
                seconds,
            )
            % {"seconds": seconds}
        )


def verify_code(user: AbstractBaseUser, code: str) -> Device:
    """The confirmed device that accepts `code`: a 6-digit code from the authenticator app, or
    one of the recovery codes (used up by this). Raises CodeRefused otherwise."""
    code = normalise_code(code)
    if not code:
        raise CodeRefused(_("Type the code."))
    if code.isdigit():
        devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
    for device in devices:
        _refuse_if_locked(device)
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    logger.warning("second factor: wrong code for user %s", user.pk)
    raise CodeRefused(_("This code is not right. Check the time of your phone and type the "
                        "code your app shows now, or one of your recovery codes."))


def mark_verified(request: HttpRequest, device: Device) -> None:
    """The session passed the second factor: a new session key for the raised privilege (as at
    login), then django-otp remembers the device in the session."""
    request.session.cycle_key()
    django_otp.login(request, device)


def start_enrolment(user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator app being set up: the same secret on every visit until it is
    confirmed with a code. Only for someone with no second factor yet: adding another one
    takes a reset by a superuser, so a stolen password alone cannot add a device."""
    if selectors.has_second_factor(user):
        raise PermissionDenied("A second factor is already set up.")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def confirm_enrolment(user: AbstractBaseUser, code: str) -> tuple[TOTPDevice, list[str]]:
    """A right code from the app confirms it; the person gets their recovery codes (shown once)."""
    with transaction.atomic():
        device = start_enrolment(user)
        code = normalise_code(code)
        if not code:
            raise CodeRefused(_("Type the code."))
        _refuse_if_locked(device)
        if django_otp.verify_token(user, device.persistent_id, code) is None:
            raise CodeRefused(_("This code is not right. Check that the app shows Booké and "
                                "type the code it shows now."))
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, new_recovery_codes(user)


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Ten new single-use codes, replacing any left: returned once, to be shown once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def reset_second_factor(actor: AbstractBaseUser, user: AbstractBaseUser) -> int:
    """A superuser takes away a person's authenticator app and recovery codes (a lost phone, a
    departure): they enrol again at their next visit to a back office, and a session verified
    with the old device is no longer verified. Returns how many devices were deleted."""
    if not (actor.is_active and actor.is_superuser):
        raise PermissionDenied("Only a superuser resets a second factor.")
    deleted = 0
    for model in (TOTPDevice, StaticDevice):
        _, per_model = model.objects.filter(user=user).delete()
        deleted += per_model.get(model._meta.label, 0)
    if deleted:
        logger.warning("second factor of user %s reset by user %s", user.pk, actor.pk)
    return deleted
