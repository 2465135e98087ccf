"""Every state machine of the Booker, for the checks and the docs that look at them all (the
domains import only their own: this list sits outside them)."""

from __future__ import annotations

from booker.machine import StateMachine


def machines() -> list[StateMachine]:
    """Every state machine of the Booker (imported when asked: the machine modules import
    their models, which need the app registry ready)."""
    from booker.archive.machine import ORIGINAL_TIER
    from booker.automation.machine import MESSAGE
    from booker.booking.machine import BOOKING
    from booker.crm.machine import CONSENT, LEAD
    from booker.intake.machine import RUSH_INGEST, UPLOAD
    from booker.marketing.machine import CAMPAIGN_SEND
    from booker.people.machine import ERASURE
    from booker.retouch.machine import RETOUCH_JOB
    from booker.sessions.machine import SESSION
    from booker.webhooks.machine import WEBHOOK_DELIVERY

    return [SESSION, RETOUCH_JOB, RUSH_INGEST, UPLOAD, ORIGINAL_TIER, CONSENT, MESSAGE, BOOKING,
            WEBHOOK_DELIVERY, CAMPAIGN_SEND, LEAD, ERASURE]
