"""The CRM's reads: where an address stands with the newsletter, whose contact a session is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from booker.crm.machine import OPEN_STAGES
from booker.models import Contact, Lead, MarketingConsent, normalise_email


def newsletter_status(email: str) -> str:
    """The address's live newsletter consent: "confirmed", "pending" or "" (none)."""
    live = (MarketingConsent.objects
            .filter(email=normalise_email(email), purpose=MarketingConsent.Purpose.NEWSLETTER)
            .exclude(status=MarketingConsent.Status.WITHDRAWN)
            .order_by("-requested_at", "-pk").first())
    return live.status if live is not None else ""


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
