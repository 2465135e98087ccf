"""A campaign email's life: to send → sent, or not sent for want of consent; a failure is tried
again in a later batch; a bounce (refused by the recipient's server) is final."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.machine import StateMachine
from booker.marketing.models import CampaignSend

S = CampaignSend.Status

CAMPAIGN_SEND = StateMachine(
    name="campaign email",
    model="booker.CampaignSend",
    field="status",
    states=S,
    owner="booker.marketing.sender",
    initial=S.PENDING,
    refusal=_("A campaign email cannot go from “%(from)s” to “%(to)s”."),
    moves={
        S.PENDING: frozenset({S.SENT, S.SKIPPED, S.FAILED, S.BOUNCED}),
        S.FAILED: frozenset({S.SENT, S.SKIPPED, S.FAILED, S.BOUNCED}),
        # A bounce reported later by the recipient's server (a delivery status notification).
        S.SENT: frozenset({S.BOUNCED}),
        S.SKIPPED: frozenset(),
        S.BOUNCED: frozenset(),
    },
)
