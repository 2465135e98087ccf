"""The CRM's writes: leads from the site, the newsletter's double opt-in, consents per purpose.

A newsletter consent goes pending → confirmed (the person clicked the emailed link) →
withdrawn (the unsubscribe link, present in every newsletter mail). The confirmation token is
random and only its hash is stored; the unsubscribe token is signed and never expires (an
unsubscribe link must keep working). The studio core knows nothing of the site: callers pass
functions that turn a token into an absolute link."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from booker import throttle
from booker.crm.machine import CONSENT
from booker.crm.selectors import may_receive_marketing, newsletter_status, photo_use_granted
from booker.models import Lead, MarketingConsent, User, normalise_email

log = logging.getLogger(__name__)

Link = Callable[[str], str]
ConsentStatus = MarketingConsent.Status

# What `set_newsletter` did.
NEWSLETTER_REQUESTED, NEWSLETTER_WITHDRAWN = "requested", "withdrawn"

# A confirmation link older than this confirms nothing; the person asks again.
CONFIRMATION_DAYS = 7
# A second request for the same pending address within this delay sends no second email.
RESEND_AFTER = timedelta(minutes=10)
UNSUBSCRIBE_SALT = "booker.crm.unsubscribe"
# What an opt-out row records as the text the person acted on, when the caller has none.
OPT_OUT_TEXT = _("Unsubscribed from the studio's newsletter and offers.")
# Requests from one IP address: beyond settings.BOOKE_RATE_LIMITS[action]["ip"] in its window,
# refused (spam, mail bombing). Counted by booker.throttle.


class TooManyRequests(Exception):
    """One address sent more requests than the studio accepts in the window."""


class InvalidToken(Exception):
    """A link whose token is unknown, expired, or tampered with."""


# --- Helpers -------------------------------------------------------------------------------


def hash_ip(ip: str | None) -> str:
    """A keyed hash of an IP address (proof of origin without keeping the address)."""
    if not ip:
        return ""
    return salted_hmac("booker.crm.ip", ip).hexdigest()


def check_rate(action: str, ip: str | None) -> None:
    """Count one request of `action` from `ip`; raise TooManyRequests past the limit (a
    refused request is not counted)."""
    if throttle.attempt(action, ip=ip):
        raise TooManyRequests(action)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unsubscribe_token(consent: MarketingConsent) -> str:
    return signing.dumps(consent.pk, salt=UNSUBSCRIBE_SALT)


def one_click_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click: mail clients offer their own "unsubscribe" button and POST
    `List-Unsubscribe=One-Click` to `url`, with no cookie and no CSRF token; the view behind
    `url` must take that POST (and only ask on GET, which link scanners follow)."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- Leads ---------------------------------------------------------------------------------


def record_lead(
    *,
    email: str = "",
    name: str = "",
    phone: str = "",
    company: str = "",
    subject: str = "",
    message: str = "",
    source: str = "",
    source_url: str = "",
) -> Lead:
    """A new lead, linked to the account whose email it gives, if there is one."""
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first() if email else None
    return Lead.objects.create(
        name=name.strip()[:200],
        email=email,
        phone=phone.strip()[:40],
        company=company.strip()[:200],
        subject=subject.strip()[:200],
        message=message.strip(),
        source=source[:255],
        source_url=source_url[:500],
        user=user,
    )


# --- Newsletter consent --------------------------------------------------------------------


def request_newsletter_consent(
    email: str,
    *,
    consent_text: str,
    confirm_link: Link,
    unsubscribe_link: Link,
    ip: str | None = None,
    source_url: str = "",
    source: str = MarketingConsent.Source.SITE_FORM,
) -> MarketingConsent:
    """Ask `email` to confirm it wants the newsletter (double opt-in).

    Idempotent for one address: a pending request is reused (a fresh link is sent, at most
    once per RESEND_AFTER), a confirmed one gets a note that it is already subscribed, and
    only an address with no live consent gets a new row. The caller shows the same message
    in every case, so the form never tells whether an address is subscribed."""
    check_rate("newsletter", ip)
    email = normalise_email(email)
    now = timezone.now()
    mail: tuple[str, dict] | None = None
    with transaction.atomic():
        live = (
            MarketingConsent.objects.select_for_update()
            .filter(email=email, purpose=MarketingConsent.Purpose.MARKETING)
            .exclude(status=ConsentStatus.WITHDRAWN)
            .order_by("-requested_at", "-pk")
            .first()
        )
        recently_sent = (
            live is not None and live.last_sent_at is not None
            and now - live.last_sent_at < RESEND_AFTER
        )
        if recently_sent:
            return live
        if live is not None and live.status == ConsentStatus.CONFIRMED:
            live.last_sent_at = now
            live.save(update_fields=["last_sent_at"])
            consent = live
            mail = ("already", {})
        else:
            consent = live or MarketingConsent(
                email=email, purpose=MarketingConsent.Purpose.MARKETING
            )
            token = secrets.token_urlsafe(32)
            consent.token_hash = _token_hash(token)
            consent.consent_text = consent_text
            consent.source_url = source_url[:500]
            consent.source = source
            consent.ip_hash = hash_ip(ip)
            consent.requested_at = now
            consent.last_sent_at = now
            consent.save()
            mail = ("confirm", {"confirm_url": confirm_link(token), "days": CONFIRMATION_DAYS})
    kind, context = mail
    # Sent once the rows are written: the link in the email always finds its consent.
    context["unsubscribe_url"] = unsubscribe_link(unsubscribe_token(consent))
    _send(consent, kind, context)
    return consent


@transaction.atomic
def confirm_consent(token: str) -> MarketingConsent:
    """The person clicked the emailed link: their consent is confirmed (again is harmless)."""
    consent = (
        MarketingConsent.objects.select_for_update()
        .filter(token_hash=_token_hash(token or ""))
        .exclude(token_hash="")
        .first()
    )
    if consent is None or consent.status == ConsentStatus.WITHDRAWN:
        raise InvalidToken
    if consent.status == ConsentStatus.CONFIRMED:
        return consent
    if timezone.now() - consent.last_sent_at > timedelta(days=CONFIRMATION_DAYS):
        raise InvalidToken
    CONSENT.move_rows(MarketingConsent.objects.filter(pk=consent.pk), consent.status,
                      ConsentStatus.CONFIRMED, confirmed_at=timezone.now())
    consent.refresh_from_db()
    return consent


@transaction.atomic
def withdraw_consent(token: str) -> MarketingConsent:
    """The unsubscribe link: the consent is withdrawn, whatever its state (again is harmless)."""
    try:
        pk = signing.loads(token or "", salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    consent = MarketingConsent.objects.select_for_update().filter(pk=pk).first()
    if consent is None:
        raise InvalidToken
    if consent.status != ConsentStatus.WITHDRAWN:
        # The confirmation link dies with the consent.
        CONSENT.move_rows(MarketingConsent.objects.filter(pk=consent.pk), consent.status,
                          ConsentStatus.WITHDRAWN, withdrawn_at=timezone.now(), token_hash="")
        consent.refresh_from_db()
    return consent


def _send(consent: MarketingConsent, kind: str, context: dict) -> None:
    context = {"consent": consent, **context}
    subject = render_to_string(f"booker/email/newsletter_{kind}_subject.txt", context)
    message = EmailMessage(
        " ".join(subject.split()),
        render_to_string(f"booker/email/newsletter_{kind}.txt", context),
        to=[consent.email],
        headers=one_click_unsubscribe_headers(context["unsubscribe_url"]),
    )
    try:
        message.send()
    except Exception:  # the address is recorded; asking again later sends a new link
        log.exception("newsletter email to consent %s not sent", consent.pk)


@transaction.atomic
def withdraw_marketing(email: str, *, source: str = MarketingConsent.Source.EMAIL_LINK,
                       consent_text: str = "") -> int:
    """Every live marketing consent of `email` withdrawn ("Mon compte", the unsubscribe link
    of every marketing mail). Someone with no consent to withdraw (a company's member, mailed
    by legitimate interest) gets an opt-out row instead, which keeps them off every campaign.
    Returns how many consents were withdrawn."""
    email = normalise_email(email)
    count = withdraw_purpose(email, MarketingConsent.Purpose.MARKETING)
    opted_out = MarketingConsent.objects.filter(
        email=email, purpose=MarketingConsent.Purpose.MARKETING, status=ConsentStatus.WITHDRAWN)
    if not count and not opted_out.exists():
        record_opt_out(email, source=source, consent_text=consent_text)
    return count


def withdraw_purpose(email: str, purpose: str) -> int:
    """Every live consent of `email` to `purpose` withdrawn; returns how many."""
    if purpose == MarketingConsent.Purpose.TRANSACTIONAL:
        raise ValueError("service emails cannot be withdrawn")
    count = 0
    with transaction.atomic():
        for consent in (MarketingConsent.objects.select_for_update()
                        .filter(email=normalise_email(email), purpose=purpose)
                        .exclude(status=ConsentStatus.WITHDRAWN)):
            count += CONSENT.move_rows(MarketingConsent.objects.filter(pk=consent.pk),
                                       consent.status, ConsentStatus.WITHDRAWN,
                                       withdrawn_at=timezone.now(), token_hash="")
    return count


def record_opt_out(email: str, *, source: str, consent_text: str = "",
                   ip: str | None = None) -> MarketingConsent:
    """A marketing opt-out: a row withdrawn as soon as it is written (the proof that the
    person said no, and when)."""
    now = timezone.now()
    with transaction.atomic():
        row = MarketingConsent.objects.create(
            email=normalise_email(email), purpose=MarketingConsent.Purpose.MARKETING,
            source=source, consent_text=consent_text or str(OPT_OUT_TEXT), ip_hash=hash_ip(ip),
            requested_at=now)
        CONSENT.move_rows(MarketingConsent.objects.filter(pk=row.pk), ConsentStatus.PENDING,
                          ConsentStatus.WITHDRAWN, withdrawn_at=now)
    row.refresh_from_db()
    return row


def grant(email: str, purpose: str, *, consent_text: str, source: str,
          ip: str | None = None, source_url: str = "") -> MarketingConsent:
    """A consent confirmed at once, where the mailbox needs no proof: the person is logged in
    to their own account (photo use from "Mon compte"), or the studio holds a signed form.
    A live confirmed consent is kept as it is."""
    if purpose == MarketingConsent.Purpose.TRANSACTIONAL:
        raise ValueError("service emails need no consent")
    email = normalise_email(email)
    now = timezone.now()
    with transaction.atomic():
        live = (MarketingConsent.objects.select_for_update()
                .filter(email=email, purpose=purpose, status=ConsentStatus.CONFIRMED).first())
        if live is not None:
            return live
        row = MarketingConsent.objects.create(
            email=email, purpose=purpose, source=source, consent_text=consent_text,
            ip_hash=hash_ip(ip), source_url=source_url[:500], requested_at=now)
        CONSENT.move_rows(MarketingConsent.objects.filter(pk=row.pk), ConsentStatus.PENDING,
                          ConsentStatus.CONFIRMED, confirmed_at=now)
    row.refresh_from_db()
    return row


def set_photo_use(email: str, wanted: bool, *, consent_text: str, ip: str | None = None,
                  source_url: str = "") -> bool:
    """A person's own choice in "Mon compte" about their photos on the site and portfolio.
    Returns whether anything changed."""
    granted = photo_use_granted(email)
    if wanted and not granted:
        grant(email, MarketingConsent.Purpose.PHOTO_USE, consent_text=consent_text,
              source=MarketingConsent.Source.ACCOUNT, ip=ip, source_url=source_url)
        return True
    if not wanted and granted:
        return bool(withdraw_purpose(email, MarketingConsent.Purpose.PHOTO_USE))
    return False


def set_newsletter(
    email: str,
    wanted: bool,
    *,
    consent_text: str,
    links: tuple[Link, Link] | None,
    ip: str | None = None,
    source_url: str = "",
    b2b: bool = False,
) -> str:
    """A person's own choice ("Mon compte"): subscribe (the double opt-in starts: a pending or
    confirmed consent is left as it is) or unsubscribe (every live marketing consent
    withdrawn; a company's member, mailed without one, records an opt-out). `links` are the
    confirmation and unsubscribe links as for `request_newsletter_consent`, None when the
    site that confirms is not mounted (then no subscription starts). Returns
    NEWSLETTER_REQUESTED, NEWSLETTER_WITHDRAWN or "" (nothing to do); TooManyRequests past
    the rate limit."""
    status = newsletter_status(email)
    if wanted and not status:
        if links is None:
            return ""
        confirm_link, unsubscribe_link = links
        request_newsletter_consent(email, consent_text=consent_text, confirm_link=confirm_link,
                                   unsubscribe_link=unsubscribe_link, ip=ip,
                                   source_url=source_url,
                                   source=MarketingConsent.Source.ACCOUNT)
        return NEWSLETTER_REQUESTED
    if not wanted and (status or (b2b and may_receive_marketing(email, b2b=True))):
        withdraw_marketing(email, source=MarketingConsent.Source.ACCOUNT)
        return NEWSLETTER_WITHDRAWN
    return ""
