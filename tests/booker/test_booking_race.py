"""Clients racing for one slot (issue 17): exactly one gets it. The photographer's row lock
(booker.booking.services._lock_photographers) is what this protects, so it runs on PostgreSQL
with real threads, each its own connection and transaction."""

from __future__ import annotations

import os
import threading
from datetime import time, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from booker import roles, services
from booker.booking.availability import PARIS
from booker.booking.selectors import slots
from booker.models import Booking, WeeklyHours
from tests.factories import SessionTypeFactory, UserFactory, user_with_role

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks are what this protects; SQLite serialises every write anyway",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def open_all_week(photographer) -> None:
    for weekday in range(7):
        WeeklyHours.objects.create(photographer=photographer, weekday=weekday, start=time(9),
                                   end=time(18))


def race(session_type, start, people, **kwargs) -> tuple[list[Booking], list[str]]:
    barrier = threading.Barrier(len(people))
    won: list[Booking] = []
    refused: list[str] = []

    def book(person) -> None:
        try:
            barrier.wait()
            won.append(services.hold_slot(session_type, start, user=person, **kwargs))
        except services.SlotTaken as exc:
            refused.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, refused


def first_slot(session_type):
    tomorrow = (timezone.now() + timedelta(days=2)).astimezone(PARIS).date()
    return slots(session_type, tomorrow, tomorrow)[0].start


def test_six_clients_racing_for_one_photographers_slot_leave_exactly_one_hold():
    assert connection.vendor == "postgresql"
    photographer = user_with_role(roles.PHOTOGRAPHER)
    open_all_week(photographer)
    portrait = SessionTypeFactory()
    portrait.photographers.add(photographer)
    start = first_slot(portrait)
    people = [UserFactory() for _ in range(6)]

    won, refused = race(portrait, start, people, photographer_id=photographer.pk)

    assert len(won) == 1 and len(refused) == 5
    assert Booking.objects.filter(status=Booking.Status.HELD).count() == 1
    assert start not in [s.start for s in slots(portrait, start.date(), start.date())]


def test_racing_for_any_photographer_gives_each_photographer_the_slot_once():
    assert connection.vendor == "postgresql"
    team = [user_with_role(roles.PHOTOGRAPHER) for _ in range(2)]
    portrait = SessionTypeFactory()
    for photographer in team:
        open_all_week(photographer)
        portrait.photographers.add(photographer)
    start = first_slot(portrait)
    # Overlapping slots too: 30 minutes later overlaps the same hour.
    people = [UserFactory() for _ in range(5)]

    won, refused = race(portrait, start, people)

    assert len(won) == 2 and len(refused) == 3
    assert sorted(b.photographer_id for b in won) == sorted(p.pk for p in team)
