"""A booking's life, from the held slot to the session: the one table of its moves and the one
function that makes them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.errors import IllegalTransition
from booker.events import Event, emit
from booker.machine import StateMachine
from booker.models import SessionEvent, User

from .models import Booking

Status = Booking.Status

BOOKING = StateMachine(
    name="booking",
    model="booker.Booking",
    field="status",
    states=Status,
    owner="booker.booking.machine",
    initial=Status.HELD,
    refusal=_("A booking cannot go from “%(from)s” to “%(to)s”."),
    moves={
        # A held slot becomes a request (the type needs the studio's approval), a confirmed
        # booking (deposit paid, or none due), or lapses after BOOKER_HOLD_MINUTES.
        Status.HELD: frozenset(
            {Status.REQUESTED, Status.CONFIRMED, Status.EXPIRED, Status.CANCELLED}
        ),
        Status.REQUESTED: frozenset({Status.CONFIRMED, Status.DECLINED, Status.CANCELLED}),
        Status.CONFIRMED: frozenset({Status.DONE, Status.CANCELLED}),
        # A deposit paid after the hold lapsed still books the slot when it is free.
        Status.EXPIRED: frozenset({Status.CONFIRMED}),
        Status.DONE: frozenset(),
        Status.CANCELLED: frozenset(),
        Status.DECLINED: frozenset(),
    },
)


def subject_of(booking: Booking) -> str:
    return f"booking:{booking.pk}"


def person_of(booking: Booking) -> User | None:
    """Who the booking's messages are for: the client, or who booked for the company."""
    return booking.client or booking.booked_by


def announce(booking: Booking, event: Event, *, actor: User | None, **payload) -> SessionEvent:
    """Record a booking's event, on its session's history once there is one."""
    return emit(event, session=booking.session, subject=subject_of(booking),
                user=person_of(booking), actor=actor, booking=booking.token, **payload)


def move(booking: Booking, to: str, *, actor: User | None, **payload) -> SessionEvent:
    """Move `booking` to status `to`, or raise IllegalTransition. The caller holds the row's
    lock (select_for_update) in the same transaction; `booking` is updated in place."""
    with transaction.atomic():
        BOOKING.check(booking.status, to)
        now = timezone.now()
        from_status = booking.status
        moved = BOOKING.move_rows(Booking.objects.filter(pk=booking.pk), from_status, to,
                                  status_changed_at=now)
        if not moved:
            # The caller's copy was stale (it did not lock the row): nothing happened.
            raise IllegalTransition(str(_("This booking changed meanwhile; reload the page.")))
        booking.status, booking.status_changed_at = to, now
        return announce(booking, Event(f"booking.{to}"), actor=actor, from_status=from_status,
                        to_status=to, **payload)
