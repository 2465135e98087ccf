"""The CRM's reads: where an address stands with each purpose, whom marketing may reach,
the pipeline's board."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from booker.crm.machine import OPEN_STAGES
from booker.models import (
    CampaignSend,
    Contact,
    Lead,
    MarketingConsent,
    Membership,
    Message,
    User,
    normalise_email,
)

Purpose = MarketingConsent.Purpose
Status = MarketingConsent.Status


def _speaking_for(contact_id: int | None, email: str) -> Q:
    # A consent speaks for its contact at the contact's address of today (the person may have
    # changed it since); a row on no contact (none was made for it) for its own address.
    rows = Q(contact__isnull=True, email=email) if email else Q(pk__in=[])
    return rows | Q(contact_id=contact_id) if contact_id is not None else rows


def consents_for(email: str) -> QuerySet[MarketingConsent]:
    """The consents that speak for whoever the studio reaches at `email` today: those of the
    person whose contact has this address, whichever address they gave them from. An address
    a person left speaks for nobody: its consents followed them."""
    email = normalise_email(email)
    contact_id = (Contact.objects.filter(kind=Contact.Kind.PERSON, email=email)
                  .values_list("pk", flat=True).first()) if email else None
    return MarketingConsent.objects.filter(_speaking_for(contact_id, email))


def address_now(email: str) -> str:
    """Where the person the studio reached at `email` is reached today (an old email's
    unsubscribe link, clicked after they changed address): `email` itself while a person's
    contact or an account holds it; else the address of the contact their consents from it
    followed; else, for someone who gave none (a company's member, mailed by legitimate
    interest; a client's reminders), the account's address of the newest campaign or studio
    email sent there."""
    email = normalise_email(email)
    if not email or Contact.objects.filter(kind=Contact.Kind.PERSON, email=email).exists() \
            or User.objects.filter(email__iexact=email).exists():
        return email
    moved = (MarketingConsent.objects.filter(email=email, contact__isnull=False)
             .exclude(contact__email="").order_by("-requested_at", "-pk")
             .values_list("contact__email", flat=True).first())
    for sent in (CampaignSend.objects.filter(email__iexact=email),
                 Message.objects.filter(recipient__iexact=email)):
        if moved:
            break
        moved = (sent.filter(user__isnull=False).exclude(user__email="").order_by("-pk")
                 .values_list("user__email", flat=True).first())
    return normalise_email(moved) if moved else email


def consent_status(email: str, purpose: str) -> str:
    """The address's live consent to `purpose`: "confirmed", "pending" or "" (none).
    Service mail needs none: it is always "confirmed"."""
    if purpose == Purpose.TRANSACTIONAL:
        return Status.CONFIRMED
    live = set(consents_for(email).filter(purpose=purpose)
               .exclude(status=Status.WITHDRAWN).values_list("status", flat=True))
    # A confirmed consent stands whatever request came after it (a sign-up at a fair that
    # staff recorded, a newer online request not yet confirmed).
    if Status.CONFIRMED in live:
        return Status.CONFIRMED
    return Status.PENDING if live else ""


def newsletter_status(email: str) -> str:
    """The address's live newsletter (marketing) consent: "confirmed", "pending" or ""."""
    return consent_status(email, Purpose.MARKETING)


def photo_use_granted(email: str) -> bool:
    return consent_status(email, Purpose.PHOTO_USE) == Status.CONFIRMED


def may_receive_marketing(email: str, *, b2b: bool) -> bool:
    """Whether a marketing mail may go to `email`.

    A private person (B2C) only with a confirmed consent (the double opt-in). A company's
    member (B2B) by the studio's legitimate interest, unless they opted out: any withdrawn
    marketing row stops them, until they confirm a new subscription themselves."""
    status = newsletter_status(email)
    if status == Status.CONFIRMED:
        return True
    if not b2b:
        return False
    return not consents_for(email).filter(
        purpose=Purpose.MARKETING, status=Status.WITHDRAWN).exists()


def is_company_member(user: User) -> bool:
    """Whether the studio mails `user` as a company's member (B2B, legitimate interest)."""
    return Membership.objects.filter(user=user).exists()


def consents_of(contact: Contact) -> list[MarketingConsent]:
    """The contact's consents (from any address they had), newest first."""
    email = normalise_email(contact.email) if contact.kind == Contact.Kind.PERSON else ""
    return list(MarketingConsent.objects.filter(_speaking_for(contact.pk, email))
                .select_related("recorded_by").order_by("-requested_at", "-pk"))


def current_addresses_of(consents: QuerySet[MarketingConsent]) -> set[str]:
    """Where the people of `consents` are reached today: their contact's address, else the
    address they gave (a campaign never goes to an address a person left)."""
    found = set()
    for email, contact_email in consents.values_list("email", "contact__email"):
        address = normalise_email(contact_email if contact_email is not None else email)
        if address:
            found.add(address)
    return found


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    leads: list[Lead]
    total: Decimal


# Closed stages show their latest leads only: the board is for what is still open.
CLOSED_SHOWN = 30


def pipeline_board() -> list[Column]:
    """The leads by stage, in the pipeline's order, each column with its estimated total:
    every open lead, the latest booked and lost ones."""
    columns = []
    for stage in Lead.Status:
        leads = Lead.objects.filter(status=stage).select_related("contact").order_by(
            "created_at", "pk") if stage in OPEN_STAGES else (
            Lead.objects.filter(status=stage).select_related("contact")
            .order_by("-created_at", "-pk")[:CLOSED_SHOWN])
        leads = list(leads)
        total = sum((lead.estimated_value or Decimal(0) for lead in leads), Decimal(0))
        columns.append(Column(stage.value, stage.label, leads, total))
    return columns
