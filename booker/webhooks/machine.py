"""A webhook delivery's life: claimed by one sender at a time (a lease), delivered once
accepted, retried after a failure, given up after the last; staff replay any finished one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.machine import StateMachine
from booker.webhooks.models import WebhookDelivery

S = WebhookDelivery.Status

WEBHOOK_DELIVERY = StateMachine(
    name="webhook delivery",
    model="booker.WebhookDelivery",
    field="status",
    states=S,
    owner="booker.webhooks.services",
    initial=S.PENDING,
    # A sender whose lease ran out (killed mid-POST) leaves the delivery to the next one.
    loops=frozenset({S.SENDING}),
    refusal=_("A webhook delivery cannot go from “%(from)s” to “%(to)s”."),
    moves={
        S.PENDING: frozenset({S.SENDING}),
        S.SENDING: frozenset({S.SUCCEEDED, S.FAILED, S.DEAD}),
        S.FAILED: frozenset({S.SENDING, S.PENDING}),
        # A replay from the admin: a new round of attempts of the same delivery.
        S.SUCCEEDED: frozenset({S.PENDING}),
        S.DEAD: frozenset({S.PENDING}),
    },
)
