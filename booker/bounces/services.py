"""Recording a late bounce on the email it reports, through each email's own machine."""

from __future__ import annotations

import logging

from booker.automation import sender as automation
from booker.bounces.dsn import Bounce
from booker.bounces.selectors import CAMPAIGN, sent_email
from booker.marketing import services as marketing

log = logging.getLogger(__name__)


def record(bounce: Bounce) -> str:
    """Mark the email `bounce` reports as bounced, with the server's diagnostic. Returns
    what it was ("campaign", "message") or "" when no email of ours matches. Recording the
    same bounce again changes nothing."""
    sent = sent_email(bounce)
    if sent is None:
        log.info("bounce of %s (%s) matches no email of ours", bounce.recipient, bounce.status)
        return ""
    if sent.kind == CAMPAIGN:
        marketing.record_bounce(sent.campaign_id, sent.email, bounce.detail)
    else:
        automation.record_bounce(sent.pk, bounce.detail)
    return sent.kind
