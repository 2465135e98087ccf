"""Bookings as a client makes them (booker.services: hold, claim, contract, submit), for the
shop's deposit tests. Apart from tests/factories.py so as not to clash with the booking
core's own factories."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from booker import roles
from booker import services as booker
from booker.booking.availability import PARIS
from booker.models import Booking, Company, SessionType, WeeklyHours
from tests.factories import SessionTypeFactory, user_with_role


def session_type(*, price: str = "200.00", deposit: str | None = "60.00",
                 refund_rules: list | None = None) -> SessionType:
    """A session type one photographer shoots every day from 9:00 to 18:00."""
    kind = SessionTypeFactory(
        price=Decimal(price),
        deposit_amount=Decimal(deposit) if deposit is not None else None,
        refund_rules=refund_rules or [],
        contract_terms="Séance {{ session_type }} le {{ date }} : acompte {{ deposit }}.",
    )
    photographer = user_with_role(roles.PHOTOGRAPHER)
    kind.photographers.add(photographer)
    for weekday in range(7):
        WeeklyHours.objects.create(photographer=photographer, weekday=weekday,
                                   start=time(9), end=time(18))
    return kind


def slot_start(days_ahead: int = 20, hour: int = 10) -> datetime:
    """A slot well within the hours, `days_ahead` days from today (Paris time)."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def held_booking(client, *, kind: SessionType | None = None, company: Company | None = None,
                 start: datetime | None = None) -> Booking:
    """A booking held for `client` (for `company` when given), answered, its contract signed
    and submitted: held, waiting for its deposit."""
    kind = kind or session_type()
    booking = booker.hold_slot(kind, start or slot_start(), user=client)
    booker.claim_booking(booking, user=client, company=company)
    booker.sign_contract(booking, name=client.get_full_name() or client.email, ip="127.0.0.1")
    booking = booker.submit_booking(booking, actor=client)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD, booking.status
    return booking
