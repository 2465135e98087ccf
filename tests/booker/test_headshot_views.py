"""A company's headshot day in the team portal: a member picks a slot, a colleague sees it
taken, gives theirs back; someone outside the company gets a 404."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from booker import roles, services
from booker.booking.availability import PARIS
from booker.booking.selectors import slots
from booker.models import HeadshotSlot, Membership, WeeklyHours
from tests.factories import CompanyFactory, SessionTypeFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    photographer = user_with_role(roles.PHOTOGRAPHER)
    for weekday in range(7):
        WeeklyHours.objects.create(photographer=photographer, weekday=weekday, start=time(9),
                                   end=time(18))
    corporate = SessionTypeFactory(duration_minutes=60, price=Decimal("600"))
    corporate.photographers.add(photographer)
    company = CompanyFactory(name="Acme")
    manager, member = UserFactory(), UserFactory(first_name="Noé")
    Membership.objects.create(company=company, user=manager, role=Membership.Role.ADMIN)
    Membership.objects.create(company=company, user=member, role=Membership.Role.MEMBER)
    day = (timezone.now() + timedelta(days=10)).astimezone(PARIS).date()
    booking = services.hold_slot(corporate, slots(corporate, day, day)[0].start, user=manager)
    services.claim_booking(booking, user=manager, company=company)
    services.sign_contract(booking, name="Office Manager", ip=None)
    services.submit_booking(booking, actor=manager)
    booking.refresh_from_db()
    return services.open_headshot_day(booking), manager, member


def test_a_member_picks_a_slot_and_a_colleague_sees_it_taken(team, client):
    day, manager, member = team
    url = reverse("portal:headshot-day", args=[day.pk])
    first = day.booking.starts_at.astimezone(PARIS)
    client.force_login(member)

    response = client.post(url, {"start": first.isoformat()}, follow=True)
    assert "Votre créneau est réservé" in response.content.decode()
    assert HeadshotSlot.objects.get().member == member

    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "pris" in page
    response = client.post(url, {"start": first.isoformat()}, follow=True)
    assert "vient d&#x27;être pris" in response.content.decode()

    client.force_login(member)
    client.post(url, {"release": "1"})
    assert not HeadshotSlot.objects.exists()


def test_someone_outside_the_company_gets_a_404(team, client):
    day, _manager, _member = team
    client.force_login(UserFactory())
    assert client.get(reverse("portal:headshot-day", args=[day.pk])).status_code == 404


def test_opening_a_headshot_day_emails_each_member_the_page_to_pick(
        team, django_capture_on_commit_callbacks):
    from django.core import mail

    from booker.models import HeadshotDay

    day, manager, member = team
    HeadshotDay.objects.filter(pk=day.pk).update(is_open=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.open_headshot_day(day.booking)
    services.send_due_messages()

    to = {address for m in mail.outbox for address in m.to}
    assert {manager.email, member.email} <= to
    link = reverse("portal:headshot-day", args=[day.pk])
    assert all(link in m.body for m in mail.outbox if member.email in m.to)


def test_the_confirmation_carries_the_contract_to_the_manager_not_to_every_member(
        team, django_capture_on_commit_callbacks):
    from django.core import mail

    from booker.automation import planner
    from booker.events import Happened
    from booker.models import SessionEvent

    day, manager, member = team
    # The fixture booked without running the after-commit work: plan its confirmation now.
    confirmed = SessionEvent.objects.get(session=day.booking.session, name="session.confirmed")
    planner.plan(Happened.of(confirmed))
    services.send_due_messages()
    sent = {address: m for m in mail.outbox for address in m.to}
    assert any(name.endswith(".pdf") for name, *_ in sent[manager.email].attachments)
    assert not any(name.endswith(".pdf") for name, *_ in sent[member.email].attachments)
