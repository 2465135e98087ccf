"""The free slots of a session type (booker.booking.selectors.slots): weekly hours, date
overrides, sessions and busy times with the type's buffers, notice and horizon, one
photographer or any, Europe/Paris across the daylight-saving changes, and a constant number of
queries whatever the range."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from booker import roles, services
from booker.booking import availability
from booker.booking.availability import PARIS
from booker.booking.selectors import days_with_slots, slots
from booker.models import BusyTime, DateOverride, PhotoSession, SessionType, WeeklyHours
from tests.factories import SessionTypeFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

# A Monday in winter (UTC+1), well before the dates asked.
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
MONDAY = date(2027, 3, 8)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def starts(found) -> list[str]:
    """Slot starts as Paris wall times with their offset: '09:30+01:00'."""
    return [slot.start.isoformat()[11:16] + slot.start.isoformat()[19:] for slot in found]


@pytest.fixture
def photographer():
    return user_with_role(roles.PHOTOGRAPHER)


@pytest.fixture
def portrait(photographer):
    session_type = SessionTypeFactory()
    session_type.photographers.add(photographer)
    return session_type


def hours(photographer, weekday: int, start: str, end: str) -> WeeklyHours:
    return WeeklyHours.objects.create(photographer=photographer, weekday=weekday,
                                      start=time.fromisoformat(start), end=time.fromisoformat(end))


def test_weekly_hours_give_slots_every_increment_that_fit_in_the_hours(portrait, photographer):
    hours(photographer, 0, "09:00", "12:00")
    hours(photographer, 0, "14:00", "15:30")  # after lunch

    found = slots(portrait, MONDAY, MONDAY + timedelta(days=6), now=NOW)

    assert starts(found) == ["09:00+01:00", "09:30+01:00", "10:00+01:00", "10:30+01:00",
                             "11:00+01:00", "14:00+01:00", "14:30+01:00"]
    assert found[0].end == paris(MONDAY, 10)
    assert {slot.day for slot in found} == {MONDAY}
    assert found[0].photographer_ids == (photographer.pk,)
    assert days_with_slots(portrait, MONDAY, MONDAY + timedelta(days=30), now=NOW) == [
        MONDAY + timedelta(days=7 * n) for n in range(5)
    ]


def test_a_closed_date_has_no_slot_and_a_studio_holiday_closes_everyone(portrait, photographer):
    colleague = user_with_role(roles.PHOTOGRAPHER)
    portrait.photographers.add(colleague)
    for who in (photographer, colleague):
        hours(who, 0, "09:00", "11:00")
        hours(who, 1, "09:00", "11:00")
    DateOverride.objects.create(photographer=photographer, date=MONDAY, closed=True)
    tuesday = MONDAY + timedelta(days=1)
    DateOverride.objects.create(photographer=None, date=tuesday, closed=True, note="Férié")

    found = slots(portrait, MONDAY, tuesday, now=NOW)

    assert {slot.day for slot in found} == {MONDAY}
    assert {slot.photographer_ids for slot in found} == {(colleague.pk,)}


def test_an_open_saturday_and_a_photographers_own_hours_replace_the_week(portrait, photographer):
    hours(photographer, 0, "09:00", "12:00")
    saturday = MONDAY + timedelta(days=5)
    DateOverride.objects.create(photographer=None, date=saturday, start=time(10), end=time(12))
    DateOverride.objects.create(photographer=photographer, date=MONDAY, start=time(16),
                                end=time(17, 30))

    found = slots(portrait, MONDAY, saturday, now=NOW)

    assert [(slot.day, slot.start.time()) for slot in found] == [
        (MONDAY, time(16)), (MONDAY, time(16, 30)),
        (saturday, time(10)), (saturday, time(10, 30)), (saturday, time(11)),
    ]


def test_an_existing_session_blocks_its_slots_with_the_types_buffers(portrait, photographer):
    portrait.buffer_before_minutes = portrait.buffer_after_minutes = 15
    portrait.save()
    hours(photographer, 0, "09:00", "13:00")
    client = UserFactory()
    session = services.create_session(title="Portrait de Léa", client=client, quota=5)
    PhotoSession.objects.filter(pk=session.pk).update(
        photographer=photographer, scheduled_at=paris(MONDAY, 10), duration_minutes=60)
    # A cancelled session or another photographer's blocks nothing.
    other = services.create_session(title="Annulée", client=client, quota=5)
    PhotoSession.objects.filter(pk=other.pk).update(
        photographer=photographer, scheduled_at=paris(MONDAY, 12),
        status=PhotoSession.Status.CANCELLED)
    elsewhere = services.create_session(title="Ailleurs", client=client, quota=5)
    PhotoSession.objects.filter(pk=elsewhere.pk).update(
        photographer=user_with_role(roles.PHOTOGRAPHER), scheduled_at=paris(MONDAY, 11, 15))

    found = slots(portrait, MONDAY, MONDAY, now=NOW)

    # The grid starts after the buffer (09:15); a slot and its buffers end by 13:00 and
    # leave 10:00–11:00 alone: 09:15 would end its buffer at 10:30.
    assert starts(found) == ["11:15+01:00", "11:45+01:00"]


def test_a_busy_time_and_an_external_calendar_block_slots(portrait, photographer):
    hours(photographer, 0, "09:00", "13:00")
    BusyTime.objects.create(photographer=photographer, start=paris(MONDAY, 9, 30),
                            end=paris(MONDAY, 10, 45), reason="Dentiste")
    calls = []

    def calendar(ids, start, end):
        calls.append((list(ids), start, end))
        return {photographer.pk: [(paris(MONDAY, 12), paris(MONDAY, 12, 15))]}

    found = slots(portrait, MONDAY, MONDAY, now=NOW, busy_sources=[calendar])

    assert starts(found) == ["11:00+01:00"]
    assert calls[0][0] == [photographer.pk]
    assert calls[0][1] <= paris(MONDAY, 0) and calls[0][2] >= paris(MONDAY + timedelta(1), 0)


def test_a_registered_busy_source_blocks_slots_until_unregistered(portrait, photographer):
    hours(photographer, 0, "09:00", "11:00")

    def calendar(ids, start, end):
        return {photographer.pk: [(paris(MONDAY, 9), paris(MONDAY, 10))]}

    availability.register_busy_source(calendar)
    availability.register_busy_source(calendar)
    try:
        assert availability.registered_busy_sources().count(calendar) == 1
        assert starts(slots(portrait, MONDAY, MONDAY, now=NOW)) == ["10:00+01:00"]
    finally:
        availability.unregister_busy_source(calendar)
    assert len(slots(portrait, MONDAY, MONDAY, now=NOW)) == 3


def test_minimum_notice_and_horizon_bound_the_slots(portrait, photographer):
    for weekday in range(7):
        hours(photographer, weekday, "09:00", "12:00")
    portrait.minimum_notice_hours = 2
    portrait.horizon_days = 3
    portrait.save()
    now = paris(MONDAY, 8, 30).astimezone(UTC)

    found = slots(portrait, MONDAY - timedelta(days=7), MONDAY + timedelta(days=30), now=now)

    assert found[0].start == paris(MONDAY, 10, 30)
    # Three days of 24 hours from Monday 08:30: the Thursday slots up to 08:30 — none.
    assert found[-1].start == paris(MONDAY + timedelta(days=2), 11)
    assert slots(portrait, MONDAY + timedelta(days=4), MONDAY + timedelta(days=9), now=now) == []


def test_any_photographer_merges_their_slots_and_a_chosen_one_gives_theirs(portrait,
                                                                           photographer):
    colleague = user_with_role(roles.PHOTOGRAPHER)
    portrait.photographers.add(colleague)
    outsider = user_with_role(roles.PHOTOGRAPHER)  # does not shoot this type
    hours(photographer, 0, "09:00", "11:00")
    hours(colleague, 0, "10:00", "12:00")
    hours(outsider, 0, "08:00", "18:00")

    anyone = slots(portrait, MONDAY, MONDAY, now=NOW)
    theirs = slots(portrait, MONDAY, MONDAY, photographer=colleague, now=NOW)

    assert [(s.start.time(), s.photographer_ids) for s in anyone] == [
        (time(9), (photographer.pk,)),
        (time(9, 30), (photographer.pk,)),
        (time(10), tuple(sorted((photographer.pk, colleague.pk)))),
        (time(10, 30), (colleague.pk,)),
        (time(11), (colleague.pk,)),
    ]
    assert starts(theirs) == ["10:00+01:00", "10:30+01:00", "11:00+01:00"]
    assert slots(portrait, MONDAY, MONDAY, photographer=outsider, now=NOW) == []


def test_spring_forward_27_march_2027_skips_the_hour_that_does_not_exist(portrait,
                                                                          photographer):
    sunday = date(2027, 3, 28)  # 02:00 becomes 03:00
    hours(photographer, 6, "01:00", "05:00")

    found = slots(portrait, sunday, sunday, now=NOW)

    assert starts(found) == ["01:00+01:00", "01:30+01:00", "03:00+02:00", "03:30+02:00",
                             "04:00+02:00"]
    # Each lasts a real hour (measured in UTC: Python subtracts two Paris datetimes on the
    # wall clock): 01:30 winter time ends at 03:30 summer time.
    assert [s.end.astimezone(UTC) - s.start.astimezone(UTC) for s in found] == [
        timedelta(hours=1)] * 5
    assert found[1].end.isoformat() == "2027-03-28T03:30:00+02:00"
    assert [s.start.astimezone(UTC).strftime("%H:%M") for s in found] == [
        "00:00", "00:30", "01:00", "01:30", "02:00"]


def test_spring_forward_at_office_hours_changes_the_offset_only(portrait, photographer):
    hours(photographer, 6, "09:00", "11:00")

    found = slots(portrait, date(2027, 3, 21), date(2027, 3, 28), now=NOW)

    assert [s.start.isoformat() for s in found] == [
        "2027-03-21T09:00:00+01:00", "2027-03-21T09:30:00+01:00", "2027-03-21T10:00:00+01:00",
        "2027-03-28T09:00:00+02:00", "2027-03-28T09:30:00+02:00", "2027-03-28T10:00:00+02:00",
    ]


def test_fall_back_31_october_2027_offers_the_repeated_hour_once(portrait, photographer):
    sunday = date(2027, 10, 31)  # 03:00 becomes 02:00 again
    hours(photographer, 6, "01:00", "05:00")

    found = slots(portrait, sunday, sunday, now=NOW)

    assert starts(found) == ["01:00+02:00", "01:30+02:00", "02:00+02:00", "02:30+02:00",
                             "03:00+01:00", "03:30+01:00", "04:00+01:00"]
    instants = [s.start.astimezone(UTC) for s in found]
    assert len(set(instants)) == len(instants)
    assert len({s.start.strftime("%H:%M") for s in found}) == len(found)
    # 02:30 summer time plus an hour is 02:30 winter time.
    assert found[3].end.isoformat() == "2027-10-31T02:30:00+01:00"
    assert found[-1].end == datetime(2027, 10, 31, 5, tzinfo=PARIS)


def test_a_busy_time_in_the_repeated_hour_blocks_by_instant(portrait, photographer):
    sunday = date(2027, 10, 31)
    hours(photographer, 6, "01:00", "05:00")
    # 01:00–02:00 UTC is the second 02:00–03:00 (winter time).
    BusyTime.objects.create(photographer=photographer,
                            start=datetime(2027, 10, 31, 1, 0, tzinfo=UTC),
                            end=datetime(2027, 10, 31, 2, 0, tzinfo=UTC))

    found = slots(portrait, sunday, sunday, now=NOW)

    # 01:00 summer time (23:00 UTC) ends at midnight UTC; 01:30 would reach 00:30 UTC... and
    # 02:30 summer time ends at 01:30 UTC, inside the busy hour.
    assert starts(found) == ["01:00+02:00", "01:30+02:00", "02:00+02:00", "03:00+01:00",
                             "03:30+01:00", "04:00+01:00"]


def month_of_availability(portrait, photographer) -> None:
    colleague = user_with_role(roles.PHOTOGRAPHER)
    portrait.photographers.add(colleague)
    for who in (photographer, colleague):
        for weekday in range(5):
            hours(who, weekday, "09:00", "12:30")
            hours(who, weekday, "14:00", "18:00")
        BusyTime.objects.create(photographer=who, start=paris(MONDAY, 9), end=paris(MONDAY, 10))
    DateOverride.objects.create(photographer=None, date=MONDAY + timedelta(days=12),
                                closed=True)


def test_a_week_and_a_month_cost_the_same_queries(portrait, photographer,
                                                  django_assert_num_queries):
    month_of_availability(portrait, photographer)

    # Five of the selector's own, and one for the photographers' own calendars (booker/
    # calendars, registered as a busy source).
    with django_assert_num_queries(7):
        week = slots(portrait, MONDAY, MONDAY + timedelta(days=6), now=NOW)
    with django_assert_num_queries(7):
        month = slots(portrait, MONDAY, MONDAY + timedelta(days=30), now=NOW)

    assert 0 < len(week) < len(month)


def test_a_deposit_is_an_amount_or_a_share_and_refunds_follow_the_rules():
    session_type = SessionType(name="Famille", slug="famille", price=Decimal("250.00"),
                               deposit_percent=30,
                               refund_rules=[{"days_before": 14, "refund_percent": 100},
                                             {"days_before": 2, "refund_percent": 50}])
    assert session_type.deposit == Decimal("75.00")
    assert [session_type.refund_percent(d) for d in (30, 14, 5, 1)] == [100, 100, 50, 0]
    session_type.deposit_amount = Decimal("50")
    with pytest.raises(ValidationError) as both:
        session_type.full_clean()
    assert "deposit_percent" in both.value.message_dict
    session_type.deposit_percent = None
    assert session_type.deposit == Decimal("50")
    session_type.refund_rules = [{"days_before": 3}]
    with pytest.raises(ValidationError) as bad:
        session_type.full_clean()
    assert "refund_rules" in bad.value.message_dict


def test_a_photographer_off_on_an_open_saturday_stays_off(portrait, photographer):
    saturday = MONDAY + timedelta(days=5)
    DateOverride.objects.create(photographer=None, date=saturday, start=time(10), end=time(12))
    DateOverride.objects.create(photographer=photographer, date=saturday, closed=True)

    assert slots(portrait, saturday, saturday, now=NOW) == []


def test_a_session_from_the_evening_before_blocks_the_early_slots(portrait, photographer):
    hours(photographer, 0, "00:00", "03:00")
    session = services.create_session(title="Nuit blanche", client=UserFactory(), quota=5)
    PhotoSession.objects.filter(pk=session.pk).update(
        photographer=photographer, scheduled_at=paris(MONDAY - timedelta(days=1), 23),
        duration_minutes=150)

    found = slots(portrait, MONDAY, MONDAY, now=NOW)

    assert starts(found) == ["01:30+01:00", "02:00+01:00"]


def test_hours_that_close_inside_the_skipped_hour_close_when_the_clocks_jump(portrait,
                                                                             photographer):
    sunday = date(2027, 3, 28)
    hours(photographer, 6, "00:00", "02:30")

    found = slots(portrait, sunday, sunday, now=NOW)

    # 02:30 does not exist: the hours end at 03:00 summer time (01:00 UTC).
    assert starts(found) == ["00:00+01:00", "00:30+01:00", "01:00+01:00"]


def test_a_busy_time_in_the_photographers_own_calendar_blocks_the_slot(portrait, photographer):
    from booker.calendars.models import ExternalBusy, ExternalCalendar

    month_of_availability(portrait, photographer)
    free = slots(portrait, MONDAY, MONDAY + timedelta(days=6), now=NOW)
    first = free[0]
    calendar = ExternalCalendar.objects.create(photographer=photographer,
                                               url="https://example.test/agenda.ics")
    ExternalBusy.objects.create(calendar=calendar, start=first.start, end=first.end, uid="x")
    after = slots(portrait, MONDAY, MONDAY + timedelta(days=6), now=NOW)
    same = [s for s in after if s.start == first.start]
    assert photographer.pk in first.photographer_ids
    assert not same or photographer.pk not in same[0].photographer_ids
