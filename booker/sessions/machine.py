"""A photo session's life: the one table of its moves and the one function that makes them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.events import Event, record
from booker.machine import StateMachine
from booker.models import PhotoSession, SessionEvent, User

Status = PhotoSession.Status

SESSION = StateMachine(
    name="session",
    model="booker.PhotoSession",
    field="status",
    states=Status,
    owner="booker.sessions.machine",
    initial=Status.BOOKED,
    refusal=_("A session cannot go from “%(from)s” to “%(to)s”."),
    moves={
        Status.BOOKED: frozenset({Status.SHOT, Status.CANCELLED}),
        Status.SHOT: frozenset({Status.PROOFING, Status.CANCELLED}),
        Status.PROOFING: frozenset(
            {Status.SELECTION_SUBMITTED, Status.AWAITING_PAYMENT, Status.CANCELLED}
        ),
        # Extras ordered through the shop: on to the studio once paid (`extras_paid`), or back
        # to proofing when the photographer reopens the selection.
        Status.AWAITING_PAYMENT: frozenset(
            {Status.SELECTION_SUBMITTED, Status.PROOFING, Status.CANCELLED}
        ),
        # Back to proofing is the photographer's `reopen_selection`.
        Status.SELECTION_SUBMITTED: frozenset(
            {Status.RETOUCHING, Status.PROOFING, Status.CANCELLED}
        ),
        Status.RETOUCHING: frozenset({Status.DELIVERED}),
        Status.DELIVERED: frozenset({Status.ARCHIVED}),
        # The originals' trip to the archive tier and back (booker/archive): a restored
        # session is delivered again.
        Status.ARCHIVED: frozenset({Status.RESTORING}),
        Status.RESTORING: frozenset({Status.DELIVERED}),
        Status.CANCELLED: frozenset(),
    },
)


def transition(
    session: PhotoSession,
    to: str,
    *,
    actor: User | None,
    event: Event | None = None,
    **payload,
) -> SessionEvent:
    """Move `session` to status `to`, or raise IllegalTransition. Locks the row, records who
    and when as a typed event (published after commit) and updates `session` in place."""
    with transaction.atomic():
        locked = PhotoSession.objects.select_for_update().get(pk=session.pk)
        SESSION.check(locked.status, to)
        now = timezone.now()
        from_status = locked.status
        SESSION.move_rows(PhotoSession.objects.filter(pk=session.pk), from_status, to,
                          status_changed_at=now)
        session.status, session.status_changed_at = to, now
        return record(
            session, event or Event.arriving_at(to), actor=actor, from_status=from_status,
            to_status=to, at=now, **payload,
        )
