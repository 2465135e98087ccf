"""A marketing consent's life: asked, confirmed by the emailed link, withdrawn at any time."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.machine import StateMachine
from booker.models import MarketingConsent

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
