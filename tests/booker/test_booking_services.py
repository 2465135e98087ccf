"""Online booking's writes (booker.booking.services): a held slot blocks it for everyone else
and lapses; the questionnaire; the signed contract; a deposit paid confirms the booking into
a session with its package terms, and money that can no longer buy the slot is handed back;
approval, decline, cancellation with the type's refund rules, moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from booker import roles, services
from booker.booking import selectors
from booker.booking.availability import PARIS
from booker.errors import IllegalTransition, StudioError
from booker.models import (
    Booking,
    BookingQuestion,
    Membership,
    Package,
    PhotoSession,
    SessionEvent,
    WeeklyHours,
)
from tests.factories import CompanyFactory, SessionTypeFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

# A Monday in winter; the slots asked are the next Monday's.
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
MONDAY = date(2027, 3, 8)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def photographer():
    user = user_with_role(roles.PHOTOGRAPHER)
    WeeklyHours.objects.create(photographer=user, weekday=0, start=time(9), end=time(12))
    return user


@pytest.fixture
def portrait(photographer):
    package = Package.objects.create(name="Essentiel", photos_included=12,
                                     extra_photo_price=Decimal("9.00"))
    session_type = SessionTypeFactory(
        price=Decimal("250.00"), deposit_percent=20, package=package,
        refund_rules=[{"days_before": 14, "refund_percent": 100},
                      {"days_before": 2, "refund_percent": 50}],
        reschedule_notice_hours=48,
    )
    session_type.photographers.add(photographer)
    return session_type


@pytest.fixture
def client_user():
    return UserFactory(first_name="Claire", last_name="Martin")


def signed(portrait, client_user, start=None, now=NOW) -> Booking:
    booking = services.hold_slot(portrait, start or paris(MONDAY, 10), user=client_user,
                                 now=now)
    services.claim_booking(booking, user=client_user)
    booking.held_until = now + timedelta(minutes=15)
    services.sign_contract(booking, name="Claire Martin", ip="203.0.113.9", now=now)
    return booking


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    # The services read the clock for the hold; every test lives on NOW.
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_a_held_slot_is_no_longer_offered_and_a_second_hold_is_refused(portrait,
                                                                        client_user):
    booking = services.hold_slot(portrait, paris(MONDAY, 10), user=client_user, now=NOW)

    assert booking.status == Booking.Status.HELD
    assert booking.held_until == NOW + timedelta(minutes=15)
    offered = [s.start for s in selectors.slots(portrait, MONDAY, MONDAY, now=NOW)]
    assert paris(MONDAY, 10) not in offered
    assert paris(MONDAY, 9, 30) not in offered  # overlaps 10:00–11:00
    assert paris(MONDAY, 11) in offered
    with pytest.raises(services.SlotTaken):
        services.hold_slot(portrait, paris(MONDAY, 10), user=UserFactory(), now=NOW)


def test_a_start_that_is_not_a_slot_of_the_type_cannot_be_held(portrait, client_user):
    with pytest.raises(services.SlotTaken):
        services.hold_slot(portrait, paris(MONDAY, 10, 10), user=client_user, now=NOW)
    with pytest.raises(services.SlotTaken):
        services.hold_slot(portrait, paris(MONDAY, 15), user=client_user, now=NOW)


def test_a_lapsed_hold_frees_the_slot_and_the_worker_marks_it_expired(portrait, client_user):
    booking = services.hold_slot(portrait, paris(MONDAY, 10), user=client_user, now=NOW)
    later = NOW + timedelta(minutes=16)

    assert paris(MONDAY, 10) in [s.start for s in selectors.slots(portrait, MONDAY, MONDAY,
                                                                  now=later)]
    assert services.expire_holds(now=later) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED


def test_choosing_another_slot_releases_the_persons_first_hold(portrait, client_user):
    first = services.hold_slot(portrait, paris(MONDAY, 9), user=client_user, now=NOW)
    services.hold_slot(portrait, paris(MONDAY, 11), user=client_user, now=NOW)

    first.refresh_from_db()
    assert first.status == Booking.Status.EXPIRED
    assert paris(MONDAY, 9) in [s.start for s in selectors.slots(portrait, MONDAY, MONDAY,
                                                                 now=NOW)]


def test_the_questionnaire_refuses_bad_answers_and_saves_nothing_then(portrait, client_user):
    text = BookingQuestion.objects.create(session_type=portrait, label="Combien de personnes ?")
    choice = BookingQuestion.objects.create(session_type=portrait, label="Tenue",
                                            kind="choice", choices="Claire\nSombre")
    day = BookingQuestion.objects.create(session_type=portrait, label="Anniversaire",
                                         kind="date", required=False)
    upload = BookingQuestion.objects.create(session_type=portrait, label="Inspiration",
                                            kind="file", required=False)
    booking = services.hold_slot(portrait, paris(MONDAY, 10), user=client_user, now=NOW)

    with pytest.raises(ValidationError) as refused:
        services.save_answers(booking, {f"q{choice.pk}": "Rouge", f"q{day.pk}": "demain"},
                              {f"q{upload.pk}": SimpleUploadedFile("a.jpg", b"x")})
    assert set(refused.value.message_dict) == {f"q{text.pk}", f"q{choice.pk}", f"q{day.pk}"}
    booking.refresh_from_db()
    assert booking.answers == []

    services.save_answers(booking, {f"q{text.pk}": "3", f"q{choice.pk}": "Sombre",
                                    f"q{day.pk}": "2027-04-02"},
                          {f"q{upload.pk}": SimpleUploadedFile("idée.jpg", b"jpeg")})
    booking.refresh_from_db()
    assert [a["value"] for a in booking.answers][:3] == ["3", "Sombre", "2027-04-02"]
    assert booking.answers[3]["value"].startswith(f"bookings/{booking.token}/")


def test_the_signed_contract_names_the_client_date_and_price_and_keeps_a_pdf(portrait,
                                                                             client_user):
    booking = signed(portrait, client_user)

    assert "Claire Martin" in booking.contract_text
    assert "lundi 8 mars 2027" in booking.contract_text
    assert "250,00" in booking.contract_text and "50,00" in booking.contract_text
    assert booking.contract_signed_ip == "203.0.113.9"
    assert booking.contract_signed_at == NOW
    with booking.contract_pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_signing_needs_an_account_and_a_name(portrait, client_user):
    booking = services.hold_slot(portrait, paris(MONDAY, 10), holder_key="abc", now=NOW)
    with pytest.raises(StudioError):
        services.sign_contract(booking, name="Claire Martin", ip=None, now=NOW)
    services.claim_booking(booking, user=client_user)
    with pytest.raises(StudioError):
        services.sign_contract(booking, name="   ", ip=None, now=NOW)


def test_paying_the_deposit_confirms_a_session_with_the_package_terms(portrait, client_user,
                                                                      photographer):
    booking = signed(portrait, client_user)
    services.submit_booking(booking, actor=client_user)
    assert booking.status == Booking.Status.HELD
    assert selectors.deposit_payable(booking.pk) == Decimal("50.00")

    assert services.booking_paid(booking.pk, Decimal("50.00"), reference="order 1") is True
    assert services.booking_paid(booking.pk, Decimal("50.00"), reference="order 1") is True

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.deposit_paid == Decimal("50.00")
    assert selectors.deposit_payable(booking.pk) is None
    session = booking.session
    assert session.status == PhotoSession.Status.BOOKED
    assert session.scheduled_at == paris(MONDAY, 10)
    assert (session.client, session.photographer) == (client_user, photographer)
    assert (session.quota, session.extra_photo_price) == (12, Decimal("9.00"))
    assert booking.balance_due_on == MONDAY - timedelta(days=7)
    names = set(SessionEvent.objects.filter(session=session).values_list("name", flat=True))
    assert {"session.booked", "session.confirmed", "booking.confirmed"} <= names


def test_a_deposit_paid_after_the_slot_was_lost_is_not_kept(portrait, client_user):
    booking = signed(portrait, client_user)
    services.submit_booking(booking, actor=client_user)
    later = NOW + timedelta(minutes=20)
    services.expire_holds(now=later)
    other = UserFactory()
    services.hold_slot(portrait, paris(MONDAY, 10), user=other, now=later)

    assert services.booking_paid(booking.pk, Decimal("50.00"), reference="order 2") is False

    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED
    assert booking.deposit_paid == Decimal("0")
    assert booking.session is None


def test_a_deposit_paid_after_the_hold_lapsed_still_books_a_free_slot(portrait, client_user):
    booking = signed(portrait, client_user)
    services.expire_holds(now=NOW + timedelta(minutes=20))

    assert services.booking_paid(booking.pk, Decimal("50.00"), reference="order 3") is True
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.session.scheduled_at == paris(MONDAY, 10)


def test_a_second_payment_of_a_paid_deposit_is_handed_back(portrait, client_user):
    booking = signed(portrait, client_user)
    services.booking_paid(booking.pk, Decimal("50.00"), reference="order 4")

    assert services.booking_paid(booking.pk, Decimal("50.00"), reference="order 5") is False
    booking.refresh_from_db()
    assert booking.deposit_paid == Decimal("50.00")


def test_a_type_needing_approval_makes_a_request_the_studio_accepts_or_declines(
        portrait, client_user, photographer):
    portrait.needs_approval = True
    portrait.save()
    booking = signed(portrait, client_user)
    services.submit_booking(booking, actor=client_user)
    assert booking.status == Booking.Status.REQUESTED
    # A request keeps its slot, whatever the clock.
    later = NOW + timedelta(hours=2)
    assert paris(MONDAY, 10) not in [s.start for s in selectors.slots(portrait, MONDAY, MONDAY,
                                                                      now=later)]

    services.approve_booking(booking, actor=photographer)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.session is not None
    assert selectors.deposit_payable(booking.pk) == Decimal("50.00")

    other = signed(portrait, UserFactory(), start=paris(MONDAY, 9))
    services.submit_booking(other, actor=None)
    services.decline_booking(other, actor=photographer, reason="Studio fermé ce jour-là")
    assert other.status == Booking.Status.DECLINED
    assert SessionEvent.objects.get(name="booking.declined").payload["reason"] == (
        "Studio fermé ce jour-là")
    with pytest.raises(IllegalTransition):
        services.approve_booking(other, actor=photographer)


def test_a_client_cancelling_gets_the_types_refund_and_the_session_is_cancelled(
        portrait, client_user):
    booking = signed(portrait, client_user)
    services.booking_paid(booking.pk, Decimal("50.00"), reference="order 6")
    booking.refresh_from_db()
    # Five days before: the 50 % rule.
    five_days_before = paris(MONDAY, 10) - timedelta(days=5)
    assert selectors.refund_if_cancelled(booking, now=five_days_before) == Decimal("25.00")

    refund = services.cancel_booking(booking, actor=client_user, now=five_days_before)

    assert refund == Decimal("25.00")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refunded == Decimal("25.00")
    assert booking.session.status == PhotoSession.Status.CANCELLED
    event = SessionEvent.objects.get(name="booking.cancelled")
    assert event.payload["refund"] == "25.00" and event.payload["by_studio"] is False
    assert paris(MONDAY, 10) in [s.start for s in selectors.slots(portrait, MONDAY, MONDAY,
                                                                  now=NOW)]


def test_the_studio_cancelling_a_booked_session_refunds_everything(
        portrait, client_user, photographer, django_capture_on_commit_callbacks):
    booking = signed(portrait, client_user)
    services.booking_paid(booking.pk, Decimal("50.00"), reference="order 7")
    booking.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(booking.session, actor=photographer, reason="Malade")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.refunded == Decimal("50.00")
    assert SessionEvent.objects.get(name="booking.cancelled").payload["by_studio"] is True


def test_a_client_moves_the_session_to_a_free_slot_within_the_notice(portrait, client_user):
    booking = signed(portrait, client_user)
    services.booking_paid(booking.pk, Decimal("50.00"), reference="order 8")
    booking.refresh_from_db()
    sequence = booking.session.calendar_sequence

    # 10:30 overlaps the booking's own 10:00–11:00: a booking does not block its own move.
    services.reschedule_booking(booking, paris(MONDAY, 10, 30), actor=client_user, now=NOW)

    booking.refresh_from_db()
    booking.session.refresh_from_db()
    assert booking.starts_at == paris(MONDAY, 10, 30)
    assert booking.session.scheduled_at == paris(MONDAY, 10, 30)
    assert SessionEvent.objects.filter(name="session.rescheduled").count() == 1
    assert SessionEvent.objects.filter(name="booking.rescheduled").count() == 1
    assert booking.session.calendar_sequence >= sequence
    with pytest.raises(StudioError):
        services.reschedule_booking(booking, paris(MONDAY, 9), actor=client_user,
                                    now=paris(MONDAY, 8))


def test_a_move_to_a_taken_slot_is_refused(portrait, client_user):
    booking = signed(portrait, client_user)
    services.booking_paid(booking.pk, Decimal("50.00"), reference="order 9")
    services.hold_slot(portrait, paris(MONDAY, 9), user=UserFactory(), now=NOW)
    booking.refresh_from_db()

    with pytest.raises(services.SlotTaken):
        services.reschedule_booking(booking, paris(MONDAY, 9), actor=client_user, now=NOW)


def test_only_a_manager_books_for_a_company_and_the_booking_is_the_companys(portrait,
                                                                           client_user):
    company = CompanyFactory()
    Membership.objects.create(company=company, user=client_user,
                              role=Membership.Role.MEMBER)
    booking = services.hold_slot(portrait, paris(MONDAY, 10), user=client_user, now=NOW)
    with pytest.raises(StudioError):
        services.claim_booking(booking, user=client_user, company=company)

    Membership.objects.filter(user=client_user).update(role=Membership.Role.ADMIN)
    services.claim_booking(booking, user=client_user, company=company)
    booking.refresh_from_db()
    assert (booking.client, booking.company, booking.booked_by) == (None, company, client_user)
    assert selectors.booking_for(booking.token, user=client_user) == booking
    assert selectors.booking_for(booking.token, user=UserFactory()) is None


# --- A company's headshot day ---------------------------------------------------------------


@pytest.fixture
def headshot_day(photographer, client_user):
    from booker.models import Booking

    company = CompanyFactory(name="Acme")
    Membership.objects.create(company=company, user=client_user, role=Membership.Role.ADMIN)
    corporate = SessionTypeFactory(duration_minutes=60, price=Decimal("600"))
    corporate.photographers.add(photographer)
    booking = services.hold_slot(corporate, paris(MONDAY, 9), user=client_user, now=NOW)
    services.claim_booking(booking, user=client_user, company=company)
    services.sign_contract(booking, name="Claire Martin", ip=None, now=NOW)
    services.submit_booking(booking, actor=client_user)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    return services.open_headshot_day(booking, slot_minutes=10), company


def test_a_headshot_day_offers_back_to_back_slots_each_member_takes_one(headshot_day,
                                                                      client_user):
    from booker.booking.services import pick_headshot_slot, release_headshot_slot

    day, company = headshot_day
    colleague = UserFactory()
    Membership.objects.create(company=company, user=colleague, role=Membership.Role.MEMBER)
    choices = selectors.headshot_slots(day)
    assert [c.start for c in choices][:2] == [paris(MONDAY, 9), paris(MONDAY, 9, 10)]
    assert len(choices) == 6

    pick_headshot_slot(day, colleague, paris(MONDAY, 9, 10))
    with pytest.raises(services.SlotTaken):
        pick_headshot_slot(day, client_user, paris(MONDAY, 9, 10))
    with pytest.raises(services.SlotTaken):
        pick_headshot_slot(day, client_user, paris(MONDAY, 9, 5))
    # Picking again moves the member's own slot.
    pick_headshot_slot(day, colleague, paris(MONDAY, 9, 30))
    taken = {c.start: c.taken_by for c in selectors.headshot_slots(day)}
    assert taken[paris(MONDAY, 9, 10)] is None and taken[paris(MONDAY, 9, 30)] == colleague
    assert release_headshot_slot(day, colleague) is True


def test_only_the_companys_members_pick_and_only_on_a_confirmed_company_booking(
        headshot_day, portrait, client_user):
    from booker.booking.services import open_headshot_day, pick_headshot_slot

    day, _company = headshot_day
    with pytest.raises(StudioError):
        pick_headshot_slot(day, UserFactory(), paris(MONDAY, 9))
    personal = signed(portrait, UserFactory(), start=paris(MONDAY, 11))
    with pytest.raises(StudioError):
        open_headshot_day(personal)


def test_the_contract_is_plain_text_an_apostrophe_stays_an_apostrophe(portrait, client_user):
    portrait.cancellation_policy = "L'acompte reste acquis jusqu'à la séance."
    portrait.save()
    booking = signed(portrait, client_user)

    assert "L'acompte reste acquis jusqu'à la séance." in booking.contract_text
    assert "&#x27;" not in booking.contract_text


def test_a_session_the_studio_moves_in_the_admin_takes_its_booking_along(
        portrait, client_user, photographer, django_capture_on_commit_callbacks):
    booking = signed(portrait, client_user)
    services.booking_paid(booking.pk, Decimal("50.00"), reference="order 10")
    booking.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_session(booking.session, paris(MONDAY, 11), actor=photographer)

    booking.refresh_from_db()
    assert booking.starts_at == paris(MONDAY, 11)
    assert booking.ends_at == paris(MONDAY, 12)
    # Its old slot is free again, its new one taken.
    offered = [s.start for s in selectors.slots(portrait, MONDAY, MONDAY, now=NOW)]
    assert paris(MONDAY, 9) in offered
    assert paris(MONDAY, 11) not in offered


# --- On site: the travel fee by distance band -----------------------------------------------


def test_on_site_the_client_picks_a_distance_band_whose_fee_joins_price_and_deposit(
        portrait, client_user):
    from booker.models import SessionType

    portrait.location_kind = SessionType.Location.ON_SITE
    portrait.travel_fees = [{"up_to_km": 15, "fee": 0}, {"up_to_km": 40, "fee": 45}]
    portrait.save()
    booking = services.hold_slot(portrait, paris(MONDAY, 10), user=client_user, now=NOW)
    assert [value for value, _label in selectors.travel_choices(portrait)] == ["15", "40"]

    with pytest.raises(ValidationError) as refused:
        services.save_answers(booking, {"deplacement": "80"})
    assert "deplacement" in refused.value.message_dict

    services.save_answers(booking, {"deplacement": "40"})
    booking.refresh_from_db()
    assert (booking.travel_up_to_km, booking.travel_fee) == (40, Decimal("45"))
    assert booking.price == Decimal("295.00")
    assert booking.deposit == Decimal("59.00")  # 20 % of the price with travel

    services.claim_booking(booking, user=client_user)
    services.sign_contract(booking, name="Claire Martin", ip=None, now=NOW)
    assert "dont 45,00" in booking.contract_text


def test_travel_bands_must_grow_and_cost_a_sum(portrait):
    portrait.travel_fees = [{"up_to_km": 40, "fee": 45}, {"up_to_km": 15, "fee": 0}]
    with pytest.raises(ValidationError):
        portrait.full_clean()
    portrait.travel_fees = [{"up_to_km": 15, "fee": "beaucoup"}]
    with pytest.raises(ValidationError):
        portrait.full_clean()
