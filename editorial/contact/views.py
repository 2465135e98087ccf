"""The newsletter's sign-up (posted from every page's footer), confirmation and unsubscribe.

Every page is served from the page cache to anonymous visitors, so the footer's form carries no
CSRF token for them: the sign-up view checks it for a logged-in person only, whose form gets
their token from the visitor fragment (shop/csrf.py). An anonymous post carries no identity
to abuse; robots meet the honeypot and the rate limit. Every answer here is personal: never
cached."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from booker import services as booker
from booker.mail import absolute_url
from shop.csrf import csrf_for_people_only

from .forms import NEWSLETTER_CONSENT, NewsletterForm
from .services import client_ip

TEMPLATE = "contact/newsletter_page.html"


def _page(request: HttpRequest, state: str, status: int = 200, **context) -> HttpResponse:
    return render(request, TEMPLATE, {"state": state, **context}, status=status)


@never_cache
@csrf_for_people_only
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    form = NewsletterForm(request.POST)
    if form.is_robot():
        return _page(request, "requested")
    if not form.is_valid():
        return _page(request, "invalid", status=400, form=form)
    try:
        booker.request_newsletter_consent(
            form.cleaned_data["email"],
            consent_text=str(NEWSLETTER_CONSENT),
            # On the public address, whatever host the form was posted to.
            confirm_link=lambda token: absolute_url(reverse("newsletter-confirm", args=[token])),
            unsubscribe_link=lambda token: absolute_url(
                reverse("newsletter-unsubscribe", args=[token])
            ),
            ip=client_ip(request),
            source_url=request.META.get("HTTP_REFERER", ""),
        )
    except booker.TooManyRequests:
        return _page(request, "too-many", status=429)
    # The same answer whether the address was new, pending or already subscribed.
    return _page(request, "requested")


@never_cache
@require_GET
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        booker.confirm_consent(token)
    except booker.InvalidToken:
        return _page(request, "confirm-invalid", status=404)
    return _page(request, "confirmed")


@csrf_exempt  # the token in the URL is the credential; a person or a mail client posts it
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    # GET only asks: link scanners in mailboxes open links, they must not unsubscribe anyone.
    if request.method == "GET":
        consent = booker.consent_of_token(token)
        return _page(request, "unsubscribe-ask", token=token,
                     purpose=consent.purpose if consent is not None else "")
    try:
        consent = booker.withdraw_consent(token)
    except booker.InvalidToken:
        return _page(request, "unsubscribe-invalid", status=404)
    # The page says what stopped: the studio's mail, or its use of the person's photos.
    return _page(request, "unsubscribed", purpose=consent.purpose)
