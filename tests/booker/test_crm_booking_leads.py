# ruff: noqa: F811  # the booking tests' fixtures are imported, then asked for by name
"""A request to book (a session type the studio approves first) is a lead of its own in the
CRM's pipeline, origin "booking", worth the booking's price: approved, it is booked; declined or
withdrawn by the client, it is lost. A person who wrote first through the contact form keeps
that one lead."""

from __future__ import annotations

from decimal import Decimal

import pytest

from booker import services
from booker.crm import services as crm
from booker.models import Lead
from tests.booker.test_booking_services import (  # noqa: F401 (fixtures)
    MONDAY,
    client_user,
    frozen,
    paris,
    photographer,
    portrait,
    signed,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def requested(portrait, person, capture, start=None):
    portrait.needs_approval = True
    portrait.save()
    with capture(execute=True):
        booking = signed(portrait, person, start=start)
        services.submit_booking(booking, actor=person)
    return booking


def test_a_request_to_book_is_a_new_lead_from_booking_worth_the_price(
        portrait, client_user, django_capture_on_commit_callbacks):
    booking = requested(portrait, client_user, django_capture_on_commit_callbacks)
    [lead] = Lead.objects.all()
    assert (lead.origin, lead.status, lead.booking) == (Lead.Origin.BOOKING, Lead.Status.NEW,
                                                        booking)
    assert lead.estimated_value == Decimal("250.00")
    assert lead.user == client_user and lead.contact is not None
    assert lead.subject == portrait.name
    assert "08/03/2027" in lead.message


def test_the_studio_approving_the_request_books_its_lead(
        portrait, client_user, photographer, django_capture_on_commit_callbacks):
    booking = requested(portrait, client_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_booking(booking, actor=photographer)
    assert Lead.objects.get().status == Lead.Status.BOOKED


def test_a_declined_request_loses_its_lead(portrait, client_user, photographer,
                                           django_capture_on_commit_callbacks):
    booking = requested(portrait, client_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_booking(booking, actor=photographer, reason="Complet")
    assert Lead.objects.get().status == Lead.Status.LOST


def test_a_request_the_client_withdraws_loses_its_lead_but_a_booked_one_cancelled_stays_won(
        portrait, client_user, photographer, django_capture_on_commit_callbacks):
    withdrawn = requested(portrait, client_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(withdrawn, actor=client_user)
    assert Lead.objects.get(booking=withdrawn).status == Lead.Status.LOST

    other = UserFactory()
    booked = requested(portrait, other, django_capture_on_commit_callbacks,
                       start=paris(MONDAY, 9))
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_booking(booked, actor=photographer)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booked, actor=other)
    assert Lead.objects.get(booking=booked).status == Lead.Status.BOOKED


def test_who_wrote_through_the_form_first_keeps_one_lead_which_the_request_values(
        portrait, client_user, photographer, django_capture_on_commit_callbacks):
    written = crm.record_lead(email=client_user.email, name="Claire Martin",
                              subject="Portrait", origin=Lead.Origin.FORM)
    booking = requested(portrait, client_user, django_capture_on_commit_callbacks)
    [lead] = Lead.objects.all()
    assert lead.pk == written.pk and lead.origin == Lead.Origin.FORM
    assert (lead.booking, lead.estimated_value) == (booking, Decimal("250.00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_booking(booking, actor=photographer)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.BOOKED
