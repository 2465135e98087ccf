"""Messages follow their anchor when it moves: the downloads' closing date pushed back by the
studio takes the reminders "before the downloads close" along (the session's date has its own,
planner.retime_session_reminders).

Heard through the `session.delivery_extended` event (subscribed in booker/receivers.py): the
delivery layer, below the engine, never calls it."""

from __future__ import annotations

from django.utils import timezone

from booker.automation.models import Message, Rule
from booker.events import Happened
from booker.models import Delivery, PhotoSession


def retime_delivery_reminders(session: PhotoSession) -> int:
    """Pending messages anchored on the downloads' closing are due at the new closing minus
    their rule's delay. Returns how many moved. Only `due_at` changes, and only while the
    message is still pending (a sender that claimed it meanwhile keeps it)."""
    delivery = Delivery.objects.filter(session=session).first()
    expires = getattr(delivery, "expires_at", None)
    if expires is None:
        return 0
    moved = 0
    pending = Message.objects.filter(
        session=session, status=Message.Status.PENDING,
        rule__anchor=Rule.Anchor.BEFORE_DELIVERY_EXPIRES,
    ).select_related("rule")
    for message in pending:
        due = max(expires - message.rule.delay, timezone.now())
        moved += Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            due_at=due)
    return moved


def on_delivery_extended(happened: Happened) -> None:
    session = PhotoSession.objects.filter(pk=happened.session_id).first()
    if session is not None:
        retime_delivery_reminders(session)
