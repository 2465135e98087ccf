"""The second factor's pages, under /accounts/2fa/ (French templates in templates/registration/).

Every code check is rate limited per person (5 per 5 minutes across these pages), on top of
django-otp's own per-device back-off."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from booker import throttle

from . import selectors, services
from .forms import AppCodeForm, CodeForm

# One counter for every page that checks a code, per person (BOOKE_RATE_LIMITS).
SECOND_FACTOR = "second_factor"
T = TypeVar("T")
TOO_MANY = gettext_lazy("Too many tries: wait a few minutes before typing a code again.")


def _check_code(request: HttpRequest, form: forms.Form, check: Callable[[str], T]
                ) -> tuple[T | None, int]:
    """Count this code check (one counter for every page here, per person), then run
    `check(code)`: its result and the answer's status; on a refusal, the form says why."""
    if throttle.attempt_for(request, SECOND_FACTOR, str(request.user.pk)) is not None:
        form.add_error(None, TOO_MANY)
        return None, 429
    if form.is_valid():
        try:
            return check(form.cleaned_data["code"]), 200
        except services.CodeRefused as refused:
            form.add_error("code", refused.message)
    return None, 200


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return reverse("after-login")


def _step(name: str, nxt: str) -> HttpResponse:
    """The other step (enrol ↔ verify), keeping where the person was going."""
    return redirect(f"{reverse(name)}?{urlencode({'next': nxt})}")


def secret_for_typing(device: TOTPDevice) -> list[str]:
    """The base32 secret in groups of 4, as people type it into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return [secret[i:i + 4] for i in range(0, len(secret), 4)]


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code (no script, no style attribute)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=1, border=4, omitsize=True, light="#fff", svgclass="otp-qr",
        title=_("QR code to scan with the authenticator app"),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code of the app (or a recovery code) before any back office."""
    user = request.user
    nxt = _next_url(request)
    if not selectors.needs_second_factor(user) or selectors.is_verified(user):
        return redirect(nxt)
    if not selectors.has_second_factor(user):
        return _step("twofactor:enrol", nxt)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        device, status = _check_code(request, form, lambda code: services.verify_code(user, code))
        if device is not None:
            services.mark_verified(request, device)
            return redirect(nxt)
    return render(request, "registration/twofactor_verify.html",
                  {"form": form, "next": nxt}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First visit to a back office: set up the app (scan or type the secret), confirm with a
    code, then read the recovery codes once."""
    user = request.user
    nxt = _next_url(request)
    if not selectors.needs_second_factor(user):
        return redirect(nxt)
    if selectors.has_second_factor(user):
        return _step("twofactor:verify", nxt)
    device = services.start_enrolment(user)
    form = AppCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        enrolled, status = _check_code(
            request, form, lambda code: services.confirm_enrolment(user, code)
        )
        if enrolled is not None:
            device, codes = enrolled
            services.mark_verified(request, device)
            return render(request, "registration/twofactor_recovery_codes.html",
                          {"codes": codes, "next": nxt, "enrolled": True})
    return render(
        request,
        "registration/twofactor_enrol.html",
        {"form": form, "next": nxt, "qr_svg": qr_svg(device),
         "secret_groups": secret_for_typing(device)},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """A staff member's second factor: how many recovery codes are left, and new ones after
    typing a code again (an open session left on a desk is not enough)."""
    user = request.user
    if not selectors.needs_second_factor(user):
        return redirect("portal:home")
    if not selectors.is_verified(user):
        step = "twofactor:verify" if selectors.has_second_factor(user) else "twofactor:enrol"
        return _step(step, reverse("twofactor:manage"))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        device, status = _check_code(request, form, lambda code: services.verify_code(user, code))
        if device is not None:
            return render(request, "registration/twofactor_recovery_codes.html",
                          {"codes": services.new_recovery_codes(user),
                           "next": reverse("after-login"), "enrolled": False})
    device = selectors.confirmed_totp_device(user)
    return render(
        request,
        "registration/twofactor_manage.html",
        {"form": form, "device": device, "codes_left": selectors.recovery_codes_left(user)},
        status=status,
    )
