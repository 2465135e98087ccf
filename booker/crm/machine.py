"""The CRM's state machines: a marketing consent's life (asked, confirmed by the emailed
link, withdrawn at any time), and a lead's way through the studio's pipeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.machine import StateMachine
from booker.models import Lead, MarketingConsent

ConsentStatus = MarketingConsent.Status

CONSENT = StateMachine(
    name="marketing consent",
    model="booker.MarketingConsent",
    field="status",
    states=ConsentStatus,
    owner="booker.crm.services",
    initial=ConsentStatus.PENDING,
    refusal=_("A consent cannot go from “%(from)s” to “%(to)s”."),
    moves={
        ConsentStatus.PENDING: frozenset({ConsentStatus.CONFIRMED, ConsentStatus.WITHDRAWN}),
        ConsentStatus.CONFIRMED: frozenset({ConsentStatus.WITHDRAWN}),
        # A new request after a withdrawal is a new row (MarketingConsent's docstring).
        ConsentStatus.WITHDRAWN: frozenset(),
    },
)

LeadStatus = Lead.Status

LEAD = StateMachine(
    name="lead",
    model="booker.Lead",
    field="status",
    states=LeadStatus,
    owner="booker.crm.services",
    initial=LeadStatus.NEW,
    refusal=_("A lead cannot go from “%(from)s” to “%(to)s”."),
    moves={
        # Stages may be skipped (a client who books at once), never walked back but by
        # reopening a lost lead.
        LeadStatus.NEW: frozenset({LeadStatus.CONTACTED, LeadStatus.QUOTED, LeadStatus.BOOKED,
                                   LeadStatus.LOST}),
        LeadStatus.CONTACTED: frozenset({LeadStatus.QUOTED, LeadStatus.BOOKED,
                                         LeadStatus.LOST}),
        LeadStatus.QUOTED: frozenset({LeadStatus.BOOKED, LeadStatus.LOST}),
        # Won: what follows is the session's business.
        LeadStatus.BOOKED: frozenset(),
        # The person came back: the lead starts again.
        LeadStatus.LOST: frozenset({LeadStatus.NEW}),
    },
)

# The board's "next" button for each open stage.
NEXT_STAGE = {
    LeadStatus.NEW: LeadStatus.CONTACTED,
    LeadStatus.CONTACTED: LeadStatus.QUOTED,
    LeadStatus.QUOTED: LeadStatus.BOOKED,
}
OPEN_STAGES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUOTED)
