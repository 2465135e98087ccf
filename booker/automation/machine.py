"""A message's life in the outbox: claimed by one sender at a time (a lease), sent once."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.automation.models import Message
from booker.machine import StateMachine

MessageStatus = Message.Status

MESSAGE = StateMachine(
    name="message",
    model="booker.Message",
    field="status",
    states=MessageStatus,
    owner="booker.automation.sender",
    initial=MessageStatus.PENDING,
    # A sender whose lease ran out (killed mid-send) leaves the message to the next one.
    loops=frozenset({MessageStatus.SENDING}),
    refusal=_("A message cannot go from “%(from)s” to “%(to)s”."),
    moves={
        MessageStatus.PENDING: frozenset({MessageStatus.SENDING, MessageStatus.SKIPPED}),
        MessageStatus.SENDING: frozenset({
            MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.DEAD, MessageStatus.SKIPPED,
        }),
        MessageStatus.FAILED: frozenset({MessageStatus.SENDING, MessageStatus.SKIPPED}),
        # Staff may send a dead message again once the cause is fixed.
        MessageStatus.DEAD: frozenset({MessageStatus.PENDING}),
        # A bounce reported later by the recipient's server (a delivery status notification).
        MessageStatus.SENT: frozenset({MessageStatus.BOUNCED}),
        MessageStatus.SKIPPED: frozenset(),
        MessageStatus.BOUNCED: frozenset(),
    },
)
