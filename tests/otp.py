"""The second factor in tests: a confirmed authenticator app for a person, and the code it
would show now, for the tests that log in through the real pages (browser tests included)."""

from __future__ import annotations

import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from booker.twofactor import services


def confirmed_device(user) -> TOTPDevice:
    """The person's authenticator app, set up and confirmed (made if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=services.APP_DEVICE_NAME,
                                           confirmed=True)
    return device


def code_for(device: TOTPDevice) -> str:
    """What the app shows: the current 30-second step's code, or the next step's when this
    one was already used (django-otp accepts each step once, and one step ahead)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def totp_code(user) -> str:
    return code_for(confirmed_device(user))


def pass_second_factor(client, user, next_url: str = ""):
    """Type the app's code on the code page, as a person would after the password."""
    return client.post(reverse("twofactor:verify"), {"code": totp_code(user), "next": next_url})


def type_the_code(page, user_or_email) -> None:
    """In a browser, right after the password: the code page asks, and the person types what
    their app shows now (computed here from the device's key)."""
    import re

    from playwright.sync_api import expect

    from booker.models import User

    user = (User.objects.get(email=user_or_email) if isinstance(user_or_email, str)
            else user_or_email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
    expect(page.locator("h1")).to_have_text("Votre code")
    page.locator("#id_code").fill(totp_code(user))
    page.get_by_role("button", name="Continuer").click()
