"""The CRM's writes: contacts (one per person, one per company), leads from the site, and the
newsletter's double opt-in, consents per purpose.

A person's contact is their account's once they have one, else their email address's: a lead
or a newsletter request from an address makes (or finds) that address's contact, and the
account opened later with it takes the contact and its leads over (`attach_account`, called
wherever an account is opened: booker.people.services.create_client, a team invitation, the
shop's sign-up).

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
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from booker import throttle
from booker.crm.machine import CONSENT, LEAD, OPEN_STAGES
from booker.crm.selectors import (
    address_now,
    consents_for,
    may_receive_marketing,
    newsletter_status,
    photo_use_granted,
)
from booker.errors import IllegalTransition, StudioError
from booker.events import Event, Happened
from booker.models import (
    Booking,
    Company,
    Contact,
    ContactNote,
    ContactTask,
    Lead,
    MarketingConsent,
    PhotoSession,
    User,
    normalise_email,
)

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

# The studio's current wording of each purpose: shown beside the box in "Mon compte", offered
# to staff recording a consent given outside the site, and stored word for word with it.
NEWSLETTER_CONSENT = _(
    "I agree to receive the studio's newsletter by email. I can unsubscribe at any time "
    "from a link in each email or from my account.")
PHOTO_USE_CONSENT = _(
    "I agree that the studio shows photos of me on its site and in its portfolio. I can "
    "withdraw this at any time from my account.")
PHOTO_USE_WITHDRAWN_TEXT = _(
    "I withdraw my agreement that the studio shows photos of me on its site and in its "
    "portfolio.")
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


def consent_of_token(token: str) -> MarketingConsent | None:
    """The consent an unsubscribe link names (its page says what stopping it means), None for
    a bad link."""
    try:
        pk = signing.loads(token or "", salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return MarketingConsent.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def consent_text(purpose: str, *, granted: bool = True) -> str:
    """The studio's current text for giving (or withdrawing) `purpose`."""
    if purpose == MarketingConsent.Purpose.PHOTO_USE:
        return str(PHOTO_USE_CONSENT if granted else PHOTO_USE_WITHDRAWN_TEXT)
    return str(NEWSLETTER_CONSENT if granted else OPT_OUT_TEXT)


def one_click_unsubscribe_headers(url: str, mailto: str = "") -> dict[str, str]:
    """RFC 8058 one-click: mail clients offer their own "unsubscribe" button and POST
    `List-Unsubscribe=One-Click` to `url`, with no cookie and no CSRF token; the view behind
    `url` must take that POST (and only ask on GET, which link scanners follow). `mailto`
    (RFC 2369) is for the mail clients that only know that form."""
    targets = [f"<{url}>"] + ([f"<mailto:{mailto}>"] if mailto else [])
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- Contacts ------------------------------------------------------------------------------

Kind = Contact.Kind


def _fill_blanks(contact: Contact, **values: str) -> None:
    """Complete what the contact does not know yet; what the studio typed is never
    overwritten."""
    changed = [name for name, value in values.items()
               if value and not getattr(contact, name)]
    for name in changed:
        setattr(contact, name, values[name])
    if changed:
        contact.save(update_fields=changed)


def contact_for_email(email: str, *, name: str = "", phone: str = "") -> Contact | None:
    """The contact of the person writing from `email` (their account's when there is one),
    made if the studio has none; None without an address."""
    email = normalise_email(email)
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        contact = contact_for_user(user)
    else:
        contact, _created = Contact.objects.get_or_create(
            kind=Kind.PERSON, email=email, user__isnull=True,
            defaults={"name": name[:200], "phone": phone[:40]},
        )
    _fill_blanks(contact, name=name[:200], phone=phone[:40])
    return contact


def contact_for_user(user: User) -> Contact:
    """The account's contact (made, and the address's leads attached, if it has none)."""
    contact = Contact.objects.filter(user=user).first()
    return contact if contact is not None else attach_account(user)


def contact_for_company(company: Company) -> Contact:
    """The company's contact, made if missing."""
    contact, _created = Contact.objects.get_or_create(
        company=company,
        defaults={"kind": Kind.COMPANY, "name": company.name[:200],
                  "email": company.billing_email},
    )
    return contact


def contact_of_session(session: PhotoSession) -> Contact | None:
    """Whose session it is, as a contact: the company's, else the client's."""
    if session.company_id:
        return contact_for_company(session.company)
    if session.client_id:
        return contact_for_user(session.client)
    return None


@transaction.atomic
def attach_account(user: User) -> Contact:
    """An account opened (or found) for a person: the contact of its address becomes the
    account's, with the leads written from that address. Idempotent; a person who had a
    contact under their account and another under a new address ends with one, holding both
    histories."""
    email = normalise_email(user.email)
    name = user.get_full_name()[:200]
    mine = Contact.objects.select_for_update().filter(user=user).first()
    orphan = (Contact.objects.select_for_update()
              .filter(kind=Kind.PERSON, email=email, user__isnull=True).first())
    if mine is None and orphan is not None:
        orphan.user = user
        orphan.save(update_fields=["user"])
        mine, orphan = orphan, None
    if orphan is not None:
        # Two records of one person: everything moves to the account's, the other goes.
        for model in (Lead, ContactNote, ContactTask, MarketingConsent):
            model.objects.filter(contact=orphan).update(contact=mine)
        orphan.delete()
    if mine is None:
        mine = Contact.objects.create(kind=Kind.PERSON, user=user, email=email, name=name,
                                      phone=user.phone[:40])
    elif mine.email != email and not Contact.objects.filter(
            kind=Kind.PERSON, email=email).exclude(pk=mine.pk).exists():
        # The account's address changed since: the contact follows it.
        mine.email = email
        mine.save(update_fields=["email"])
    _fill_blanks(mine, name=name, phone=user.phone[:40])
    Lead.objects.filter(Q(user=user) | Q(email=email, user__isnull=True)).update(
        user=user, contact=mine)
    return mine


def account_email_changed(user: User) -> Contact | None:
    """`user`'s address changed (they confirmed a new one, or the studio typed it): their
    contact takes it at once, with their consents, which speak for the person, not for the
    address (booker.crm.selectors.consents_for): marketing reaches the new address as the
    person chose, and the one they left no more. A contact already made for
    the new address (a newsletter sign-up, a lead) merges into theirs. None for a member of
    staff with no contact (the studio's team are not its clients)."""
    if user.is_staff and not Contact.objects.filter(user=user).exists():
        return None
    contact = attach_account(user)
    log.info("contact %s follows account %s to its new address", contact.pk, user.pk)
    return contact


def add_note(contact: Contact, body: str, *, author: User | None,
             session: PhotoSession | None = None) -> ContactNote:
    return ContactNote.objects.create(contact=contact, body=body.strip(), author=author,
                                      session=session)


def add_task(contact: Contact, title: str, *, author: User | None, due_on=None,
             assignee: User | None = None, session: PhotoSession | None = None) -> ContactTask:
    return ContactTask.objects.create(contact=contact, title=title.strip()[:200],
                                      due_on=due_on, assignee=assignee, author=author,
                                      session=session)


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
    origin: str = Lead.Origin.FORM,
    estimated_value=None,
    booking: Booking | None = None,
) -> Lead:
    """A new lead, on the contact of its address (the account's, if there is one)."""
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first() if email else None
    contact = contact_for_email(email, name=name.strip(), phone=phone.strip())
    return Lead.objects.create(
        contact=contact,
        name=name.strip()[:200],
        email=email,
        phone=phone.strip()[:40],
        company=company.strip()[:200],
        subject=subject.strip()[:200],
        message=message.strip(),
        source=source[:255],
        source_url=source_url[:500],
        origin=origin,
        estimated_value=estimated_value,
        user=user,
        booking=booking,
    )


def move_lead(lead: Lead, to: str, *, actor: User | None = None) -> bool:
    """Move `lead` to the pipeline's stage `to` (staff on the board, or a booking); False
    when someone moved it first. Raises IllegalTransition for a move the table refuses."""
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        moved = LEAD.move_rows(Lead.objects.filter(pk=lead.pk), locked.status, to)
    if moved:
        lead.refresh_from_db(fields=["status"])
        log.debug("lead %s moved to %s by %s", lead.pk, to, getattr(actor, "pk", None))
    return bool(moved)


def booked_by(user: User) -> Lead | None:
    """`user` booked a session: their newest open lead (written under their account or from
    their address) is booked. Returns it, or None when they had none open."""
    email = normalise_email(user.email)
    lead = (Lead.objects.filter(Q(user=user) | Q(email=email), status__in=OPEN_STAGES)
            .order_by("-created_at", "-pk").first())
    if lead is None:
        return None
    try:
        return lead if move_lead(lead, Lead.Status.BOOKED) else None
    except IllegalTransition:  # moved meanwhile to a stage that cannot be booked
        return None


def _booking_of(event: Happened) -> Booking | None:
    prefix = "booking:"
    if not event.subject.startswith(prefix):
        return None
    return (Booking.objects.select_related("session_type", "company", "client", "booked_by")
            .filter(pk=event.subject[len(prefix):]).first())


def on_booked(event: Happened) -> None:
    """A session booked (by the studio, or an online booking confirmed): the person's open
    lead is won. Subscribed in booker/receivers.py to `session.booked` (the person: the
    session's client) and `booking.confirmed` (for a company's session, the member who
    booked it; a private client's session has already said it with its `session.booked`,
    and one booking wins one lead). A request to book that was a lead of its own is the one
    won."""
    request_lead = (Lead.objects.filter(booking__session_id=event.session_id,
                                        status__in=OPEN_STAGES).first()
                    if event.session_id is not None else None)
    if request_lead is not None:
        try:
            move_lead(request_lead, Lead.Status.BOOKED)
        except IllegalTransition:  # moved meanwhile to a stage that cannot be booked
            pass
        return
    client_id = None
    if event.session_id is not None:
        client_id = (PhotoSession.objects.filter(pk=event.session_id)
                     .values_list("client_id", flat=True).first())
    if event.event == Event.SESSION_BOOKED:
        person_id = client_id
    else:
        person_id = None if client_id else event.user_id
    user = User.objects.filter(pk=person_id).first() if person_id else None
    if user is not None:
        booked_by(user)


def on_booking_requested(event: Happened) -> Lead | None:
    """Someone asked to book a session type the studio approves first: a lead in the
    pipeline, worth the booking's price, unless the person already has one open (a request
    written in the contact form before booking), which then gets the value if it had none.
    Subscribed in booker/receivers.py to `booking.requested`."""
    booking = _booking_of(event)
    if booking is None:
        return None
    person = booking.client or booking.booked_by
    if person is None:
        return None
    value = booking.price + (booking.travel_fee or 0)
    email = normalise_email(person.email)
    open_lead = (Lead.objects.filter(Q(user=person) | Q(email=email), status__in=OPEN_STAGES)
                 .order_by("-created_at", "-pk").first())
    if open_lead is not None:
        Lead.objects.filter(pk=open_lead.pk, estimated_value__isnull=True).update(
            estimated_value=value)
        Lead.objects.filter(pk=open_lead.pk, booking__isnull=True).update(booking=booking)
        return open_lead
    when = timezone.localtime(booking.starts_at)
    return record_lead(
        email=email, name=person.get_full_name(), phone=getattr(person, "phone", "") or "",
        company=booking.company.name if booking.company_id else "",
        subject=booking.session_type.name,
        message=_("Booking request for %(date)s at %(time)s.") % {
            "date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M")},
        source=booking.session_type.name, origin=Lead.Origin.BOOKING,
        estimated_value=value, booking=booking,
    )


def on_booking_turned_down(event: Happened) -> None:
    """A request to book declined by the studio, or withdrawn before it was approved: its
    lead is lost. A confirmed booking cancelled later stays won (the session was booked).
    Subscribed in booker/receivers.py to `booking.declined` and `booking.cancelled`."""
    booking = _booking_of(event)
    if booking is None:
        return
    # Cancelled after the studio approved it: the session was booked, the lead stays won.
    if event.event == Event.BOOKING_CANCELLED and booking.session_id is not None:
        return
    for lead in Lead.objects.filter(booking=booking, status__in=OPEN_STAGES):
        try:
            move_lead(lead, Lead.Status.LOST)
        except IllegalTransition:
            pass


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
        # The subscriber is someone the studio knows from now on (marketing's audience).
        contact = contact_for_email(email)
        live = (
            consents_for(email).select_for_update()
            .filter(purpose=MarketingConsent.Purpose.MARKETING)
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
                email=email, contact=contact, purpose=MarketingConsent.Purpose.MARKETING
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
    # One click stops the purpose, not one row: the person may also have said yes at a fair
    # (recorded by staff) or from another address of theirs.
    same_person = (Q(contact_id=consent.contact_id) if consent.contact_id is not None
                   else Q(contact__isnull=True, email=consent.email))
    _withdraw(MarketingConsent.objects.filter(same_person, purpose=consent.purpose)
              | MarketingConsent.objects.filter(pk=consent.pk))
    consent.refresh_from_db()
    return consent


def _withdraw(consents, at=None) -> int:
    """Every live consent of `consents` withdrawn as of `at` (now by default), never before it
    was given; its confirmation link dies with it. Returns how many."""
    count = 0
    for consent in consents.select_for_update().exclude(status=ConsentStatus.WITHDRAWN):
        when = max(at or timezone.now(), consent.confirmed_at or consent.requested_at)
        count += CONSENT.move_rows(MarketingConsent.objects.filter(pk=consent.pk),
                                   consent.status, ConsentStatus.WITHDRAWN,
                                   withdrawn_at=when, token_hash="")
    return count


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
    Returns how many consents were withdrawn. An address the person has left since (the
    link of an older mail) stops the mail to the one they use now."""
    email = address_now(email)
    count = withdraw_purpose(email, MarketingConsent.Purpose.MARKETING)
    opted_out = consents_for(email).filter(
        purpose=MarketingConsent.Purpose.MARKETING, status=ConsentStatus.WITHDRAWN)
    if not count and not opted_out.exists():
        record_opt_out(email, source=source, consent_text=consent_text)
    return count


def withdraw_purpose(email: str, purpose: str, *, at=None) -> int:
    """Every live consent of `email` to `purpose` (those of the person reached there, from
    whatever address they gave them) withdrawn, as of `at` (now by default); returns how
    many."""
    if purpose == MarketingConsent.Purpose.TRANSACTIONAL:
        raise ValueError("service emails cannot be withdrawn")
    with transaction.atomic():
        return _withdraw(consents_for(email).filter(purpose=purpose), at)


def record_opt_out(email: str, *, source: str, consent_text: str = "",
                   ip: str | None = None) -> MarketingConsent:
    """A marketing opt-out: a row withdrawn as soon as it is written (the proof that the
    person said no, and when)."""
    now = timezone.now()
    with transaction.atomic():
        row = MarketingConsent.objects.create(
            email=normalise_email(email), contact=contact_for_email(email),
            purpose=MarketingConsent.Purpose.MARKETING, source=source,
            consent_text=consent_text or str(OPT_OUT_TEXT), ip_hash=hash_ip(ip),
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
        live = (consents_for(email).select_for_update()
                .filter(purpose=purpose, status=ConsentStatus.CONFIRMED).first())
        if live is not None:
            return live
        row = MarketingConsent.objects.create(
            email=email, contact=contact_for_email(email), purpose=purpose, source=source,
            consent_text=consent_text, ip_hash=hash_ip(ip), source_url=source_url[:500],
            requested_at=now)
        CONSENT.move_rows(MarketingConsent.objects.filter(pk=row.pk), ConsentStatus.PENDING,
                          ConsentStatus.CONFIRMED, confirmed_at=now)
    row.refresh_from_db()
    return row


# Where a consent given outside the site comes from, as staff record it.
STAFF_SOURCES = (
    MarketingConsent.Source.PAPER_FORM, MarketingConsent.Source.IN_PERSON,
    MarketingConsent.Source.PHONE, MarketingConsent.Source.EMAIL,
    MarketingConsent.Source.STAFF,
)


def record_consent(contact: Contact, purpose: str, *, granted: bool, source: str,
                   consent_text: str, given_at, recorded_by: User | None) -> MarketingConsent:
    """A consent the person gave (or withdrew) outside the site — a model release signed at
    the shoot, a yes at a wedding fair, a phone call asking to stop — recorded by a member of
    staff: a new row with what the person agreed to, when, where, and who recorded it (no IP:
    the studio was not told one). A withdrawal also withdraws every live consent of the
    person to `purpose`, as of `given_at`. Rows are never rewritten: the history stays the
    proof."""
    if purpose not in (MarketingConsent.Purpose.MARKETING, MarketingConsent.Purpose.PHOTO_USE):
        raise ValueError(f"no consent is recorded for {purpose!r}")
    if source not in STAFF_SOURCES:
        raise ValueError(f"{source!r} is not a source staff record")
    if contact.kind != Contact.Kind.PERSON or not contact.email:
        raise StudioError(_("A consent is recorded on a person's contact that has an email "
                            "address."))
    text = consent_text.strip()
    if not text:
        raise StudioError(_("Write the text the person agreed to."))
    now = timezone.now()
    if given_at > now:
        raise StudioError(_("A consent cannot be dated in the future."))
    email = normalise_email(contact.email)
    with transaction.atomic():
        if not granted:
            withdraw_purpose(email, purpose, at=given_at)
        row = MarketingConsent.objects.create(
            email=email, contact=contact, purpose=purpose, source=source, consent_text=text,
            requested_at=given_at, recorded_by=recorded_by, recorded_at=now)
        if granted:
            CONSENT.move_rows(MarketingConsent.objects.filter(pk=row.pk), ConsentStatus.PENDING,
                              ConsentStatus.CONFIRMED, confirmed_at=given_at)
        else:
            CONSENT.move_rows(MarketingConsent.objects.filter(pk=row.pk), ConsentStatus.PENDING,
                              ConsentStatus.WITHDRAWN, withdrawn_at=given_at)
    row.refresh_from_db()
    log.info("consent %s (%s, %s) recorded by %s", row.pk, purpose,
             "given" if granted else "withdrawn", getattr(recorded_by, "pk", None))
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
