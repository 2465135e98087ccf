"""The CRM's reads: where an address stands with each purpose, whom marketing may reach,
the pipeline's board."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from booker.crm.machine import OPEN_STAGES
from booker.models import Contact, Lead, MarketingConsent, Membership, User, normalise_email

Purpose = MarketingConsent.Purpose
Status = MarketingConsent.Status


def consent_status(email: str, purpose: str) -> str:
    """The address's live consent to `purpose`: "confirmed", "pending" or "" (none).
    Service mail needs none: it is always "confirmed"."""
    if purpose == Purpose.TRANSACTIONAL:
        return Status.CONFIRMED
    live = (MarketingConsent.objects
            .filter(email=normalise_email(email), purpose=purpose)
            .exclude(status=Status.WITHDRAWN)
            .order_by("-requested_at", "-pk").first())
    return live.status if live is not None else ""


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
    return not MarketingConsent.objects.filter(
        email=normalise_email(email), purpose=Purpose.MARKETING, status=Status.WITHDRAWN
    ).exists()


def is_company_member(user: User) -> bool:
    """Whether the studio mails `user` as a company's member (B2B, legitimate interest)."""
    return Membership.objects.filter(user=user).exists()


def consents_of(contact: Contact) -> list[MarketingConsent]:
    """The marketing consents given from the contact's address, newest first."""
    if not contact.email:
        return []
    return list(MarketingConsent.objects.filter(email=normalise_email(contact.email))
                .order_by("-requested_at", "-pk"))


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
