"""Webhooks, the reads: which events an endpoint may choose, and what a delivery sends."""

from __future__ import annotations

import json

from booker.events import Event
from booker.webhooks.models import WebhookDelivery, WebhookEndpoint


def event_choices() -> list[tuple[str, str]]:
    """Every event an endpoint may choose, in the studio's words (the name beside it: it is
    what the receiver reads in `type`)."""
    from booker.automation.context import event_label

    return [(e.value, f"{event_label(e.value)} ({e.value})") for e in Event]


def events_summary(endpoint: WebhookEndpoint) -> str:
    """The endpoint's events as the list reads them: their names, or "" for all."""
    return ", ".join(endpoint.events)


def body_preview(delivery: WebhookDelivery) -> str:
    """The body the receiver gets, indented for a person to read."""
    from booker.webhooks.services import body_of

    return json.dumps(json.loads(body_of(delivery.event)), indent=2, ensure_ascii=False)


def masked_secret(endpoint: WebhookEndpoint) -> str:
    """The secret as the admin shows it after its creation: its prefix and last four
    characters, enough to tell which one a receiver holds."""
    secret = endpoint.secret
    return f"{secret[:6]}…{secret[-4:]}" if len(secret) > 12 else "…"
