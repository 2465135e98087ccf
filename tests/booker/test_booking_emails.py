"""What a booking made online tells people, through the automation engine's default rules: the
confirmation carries the .ics and the signed contract; a request is acknowledged to the client
and announced to the studio; a decline gives its reason; the balance is recalled before its
due date; a cancellation states the refund."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from email import message_from_bytes
from email.policy import default

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from booker import roles, services
from booker.automation.models import Message
from booker.booking.availability import PARIS
from booker.booking.selectors import slots
from booker.models import WeeklyHours
from tests.factories import SessionTypeFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def portrait():
    photographer = user_with_role(roles.PHOTOGRAPHER)
    for weekday in range(7):
        WeeklyHours.objects.create(photographer=photographer, weekday=weekday, start=time(9),
                                   end=time(18))
    session_type = SessionTypeFactory(price=Decimal("200.00"), deposit_amount=Decimal("60.00"),
                                      balance_due_days_before=7)
    session_type.photographers.add(photographer)
    return session_type


@pytest.fixture
def claire():
    return UserFactory(first_name="Claire", last_name="Martin", email="claire@example.test")


def signed(session_type, person, days=20):
    day = (timezone.now() + timedelta(days=days)).astimezone(PARIS).date()
    start = slots(session_type, day, day)[0].start
    booking = services.hold_slot(session_type, start, user=person)
    services.claim_booking(booking, user=person)
    services.sign_contract(booking, name="Claire Martin", ip="198.51.100.7")
    return booking


def sent_to(address: str) -> list:
    return [message_from_bytes(m.message().as_bytes(), policy=default) for m in mail.outbox
            if address in m.to]


def test_the_confirmation_carries_the_calendar_invitation_and_the_signed_contract(
        portrait, claire, django_capture_on_commit_callbacks):
    booking = signed(portrait, claire)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.booking_paid(booking.pk, Decimal("60.00"), reference="order 42")
    services.send_due_messages()

    confirmation = next(m for m in sent_to(claire.email)
                        if "confirmée" in str(m["Subject"]))
    parts = {p.get_content_type(): p for p in confirmation.walk()}
    pdf = parts["application/pdf"].get_payload(decode=True)
    assert pdf.startswith(b"%PDF-")
    ics = Calendar.from_ical(parts["text/calendar"].get_payload(decode=True))
    assert ics["METHOD"] == "REQUEST"
    text = parts["text/plain"].get_payload(decode=True).decode()
    assert "contrat signé est joint" in text


def test_the_balance_is_recalled_three_days_before_it_is_due(portrait, claire,
                                                             django_capture_on_commit_callbacks):
    booking = signed(portrait, claire)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_paid(booking.pk, Decimal("60.00"), reference="order 43")
    booking.refresh_from_db()

    reminder = Message.objects.get(rule__key="balance-reminder")
    due_day = booking.balance_due_on
    assert due_day == booking.starts_at.astimezone(PARIS).date() - timedelta(days=7)
    assert reminder.due_at == datetime.combine(due_day, time(9), tzinfo=PARIS) - timedelta(days=3)
    assert reminder.recipient == claire.email


def test_a_request_is_acknowledged_and_announced_and_a_decline_says_why(
        portrait, claire, django_capture_on_commit_callbacks, settings):
    settings.BOOKE_STUDIO = {**settings.BOOKE_STUDIO, "email": "studio@booke.test"}
    portrait.needs_approval = True
    portrait.save()
    booking = signed(portrait, claire)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_booking(booking, actor=claire)
    services.send_due_messages()
    assert any("Demande de réservation reçue" in str(m["Subject"])
               for m in sent_to(claire.email))
    studio = sent_to("studio@booke.test")
    assert studio and "Claire Martin" in studio[0].get_body(("plain",)).get_content()

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_booking(booking, actor=None, reason="Studio fermé pour travaux")
    services.send_due_messages()
    declined = [m for m in sent_to(claire.email) if "demande" in str(m["Subject"]).lower()][-1]
    assert "Studio fermé pour travaux" in declined.get_body(("plain",)).get_content()


def test_a_cancellation_email_states_the_refund(portrait, claire,
                                               django_capture_on_commit_callbacks):
    booking = signed(portrait, claire)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_paid(booking.pk, Decimal("60.00"), reference="order 44")
    booking.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking, actor=None, by_studio=True, reason="Photographe malade")
    services.send_due_messages()

    cancelled = next(m for m in sent_to(claire.email) if "annulée" in str(m["Subject"]))
    body = cancelled.get_body(("plain",)).get_content()
    assert "Photographe malade" in body and "60,00" in body


def test_a_moved_session_takes_its_balance_reminder_along(portrait, claire,
                                                          django_capture_on_commit_callbacks):
    booking = signed(portrait, claire)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_paid(booking.pk, Decimal("60.00"), reference="order 45")
    booking.refresh_from_db()
    later = booking.starts_at + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_booking(booking, later, actor=claire)

    reminder = Message.objects.get(rule__key="balance-reminder")
    due_day = later.astimezone(PARIS).date() - timedelta(days=7)
    assert reminder.due_at == datetime.combine(due_day, time(9), tzinfo=PARIS) - timedelta(days=3)
    booking.refresh_from_db()
    assert booking.balance_due_on == due_day


def test_no_balance_reminder_for_a_session_booked_too_close_to_remind(
        portrait, claire, django_capture_on_commit_callbacks):
    booking = signed(portrait, claire, days=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_paid(booking.pk, Decimal("60.00"), reference="order 46")
    booking.refresh_from_db()

    assert booking.balance_due_on == timezone.localdate()
    assert not Message.objects.filter(rule__key="balance-reminder").exists()
