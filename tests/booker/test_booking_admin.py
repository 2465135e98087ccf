"""The booking's admin (booker/booking/admin.py): photographers set what can be booked and when
they work; the photographer fields offer photographers only; a session keeps its duration."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from booker import roles
from booker.models import PhotoSession, SessionType, WeeklyHours
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_a_photographer_adds_a_session_type_shot_by_photographers_only(studio, photographer):
    client_account = UserFactory()
    page = studio.get(reverse("admin:booker_sessiontype_add"))
    assert page.status_code == 200
    choices = page.context["adminform"].form.fields["photographers"].queryset
    assert photographer in choices and client_account not in choices

    response = studio.post(reverse("admin:booker_sessiontype_add"), {
        "name": "Portrait", "slug": "portrait", "duration_minutes": 60,
        "buffer_before_minutes": 0, "buffer_after_minutes": 15, "location_kind": "studio",
        "price": "190.00", "deposit_percent": 30, "minimum_notice_hours": 24,
        "horizon_days": 60, "slot_increment_minutes": 30, "refund_rules": "[]",
        "photographers": [photographer.pk], "order": 0, "is_active": "on",
        "reschedule_notice_hours": 48, "balance_due_days_before": 7,
        "contract_terms": "Séance de {{ client_name }} le {{ date }}.",
        # The intake questionnaire, inline: one choice question.
        "questions-TOTAL_FORMS": 1, "questions-INITIAL_FORMS": 0,
        "questions-0-order": 0, "questions-0-label": "Pour quel usage ?",
        "questions-0-kind": "choice", "questions-0-choices": "Personnel\nProfessionnel",
        "questions-0-required": "on",
    })

    assert response.status_code == 302, response.context["adminform"].form.errors
    session_type = SessionType.objects.get()
    assert list(session_type.photographers.all()) == [photographer]
    assert session_type.deposit == 57
    assert session_type.questions.get().choice_list == ["Personnel", "Professionnel"]


def test_a_contract_that_does_not_render_is_refused_with_its_reason(studio):
    response = studio.post(reverse("admin:booker_sessiontype_add"), {
        "name": "Famille", "slug": "famille", "duration_minutes": 60,
        "buffer_before_minutes": 0, "buffer_after_minutes": 0, "location_kind": "studio",
        "price": "190.00", "minimum_notice_hours": 24, "horizon_days": 60,
        "slot_increment_minutes": 30, "refund_rules": "[]", "order": 0,
        "reschedule_notice_hours": 48, "balance_due_days_before": 7,
        "contract_terms": "{% if client_name %}Séance", "questions-TOTAL_FORMS": 0,
        "questions-INITIAL_FORMS": 0,
    })

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["contract_terms"]
    assert "erreur" in errors[0]
    assert not SessionType.objects.exists()


def test_weekly_hours_are_entered_for_a_photographer(studio, photographer):
    response = studio.post(reverse("admin:booker_weeklyhours_add"), {
        "photographer": photographer.pk, "weekday": 5, "start": "10:00", "end": "13:00",
    })
    assert response.status_code == 302
    assert str(WeeklyHours.objects.get()) == "samedi 10:00–13:00"
    backwards = studio.post(reverse("admin:booker_weeklyhours_add"), {
        "photographer": photographer.pk, "weekday": 5, "start": "13:00", "end": "10:00",
    })
    assert backwards.status_code == 200
    assert WeeklyHours.objects.count() == 1


def test_a_retoucher_cannot_open_the_booking_admin(client):
    client.force_login(user_with_role(roles.RETOUCHER))
    assert client.get(reverse("admin:booker_sessiontype_changelist")).status_code == 403


def test_a_session_booked_in_the_admin_lasts_an_hour_unless_told(studio):
    client_account = UserFactory()
    studio.post(reverse("admin:booker_photosession_add"),
                {"title": "Portrait", "client": client_account.pk})
    studio.post(reverse("admin:booker_photosession_add"),
                {"title": "Mariage", "client": client_account.pk, "duration_minutes": 480})
    assert dict(PhotoSession.objects.values_list("title", "duration_minutes")) == {
        "Portrait": 60, "Mariage": 480}


# --- The studio answers bookings ------------------------------------------------------------


def _request_for(photographer, **type_fields):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from booker import services
    from booker.booking.availability import PARIS
    from booker.booking.selectors import slots
    from tests.factories import SessionTypeFactory

    for weekday in range(7):
        WeeklyHours.objects.create(photographer=photographer, weekday=weekday,
                                   start=time(9), end=time(18))
    kind = SessionTypeFactory(needs_approval=True, price=Decimal("300"), **type_fields)
    kind.photographers.add(photographer)
    person = UserFactory(first_name="Inès")
    day = (timezone.now() + timedelta(days=20)).astimezone(PARIS).date()
    booking = services.hold_slot(kind, slots(kind, day, day)[0].start, user=person)
    services.claim_booking(booking, user=person)
    services.sign_contract(booking, name="Inès", ip=None)
    services.submit_booking(booking, actor=person)
    return booking


def test_the_studio_accepts_a_request_from_the_booking_page(studio, photographer):
    from booker.models import Booking

    booking = _request_for(photographer)
    page = studio.get(reverse("admin:booker_booking_change", args=[booking.pk]))
    assert "Accepter la demande" in page.content.decode()

    response = studio.post(reverse("admin:booker_booking_decide", args=[booking.pk]),
                           {"decision": "approve"}, follow=True)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.session.scheduled_at == booking.starts_at
    assert "Demande acceptée" in response.content.decode()


def test_the_studio_declines_a_request_with_the_reason_the_client_reads(studio, photographer):
    from booker.models import Booking, SessionEvent

    booking = _request_for(photographer)
    studio.post(reverse("admin:booker_booking_decide", args=[booking.pk]),
                {"decision": "decline", "reason": "Studio fermé ce jour-là"})

    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED
    assert booking.note == "Studio fermé ce jour-là"
    assert SessionEvent.objects.get(name="booking.declined").payload["reason"] == (
        "Studio fermé ce jour-là")


def test_a_retoucher_cannot_answer_a_booking(client, photographer):
    from booker.models import Booking

    booking = _request_for(photographer)
    client.force_login(user_with_role(roles.RETOUCHER))
    response = client.post(reverse("admin:booker_booking_decide", args=[booking.pk]),
                           {"decision": "approve"})

    assert response.status_code in (403, 404)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_a_request_shows_tentative_on_the_photographer_s_calendar_feed(photographer):
    from icalendar import Calendar

    from booker.calendars import services as calendars

    booking = _request_for(photographer)
    feed = Calendar.from_ical(calendars.photographer_calendar(photographer))
    [event] = [e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("booking-")]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "Demande à traiter" in str(event["SUMMARY"]) and "Inès" in str(event["SUMMARY"])
    assert event.decoded("DTSTART") == booking.starts_at


def test_a_file_the_client_attached_is_opened_from_the_booking_page(studio, photographer, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from booker import services
    from booker.models import BookingQuestion

    booking = _request_for(photographer)
    question = BookingQuestion.objects.create(session_type=booking.session_type, label="Plan",
                                              kind=BookingQuestion.Kind.FILE, required=False)
    booking.status = booking.Status.HELD
    booking.save(update_fields=["status"])
    services.save_answers(booking, {}, {f"q{question.pk}": SimpleUploadedFile(
        "plan d'accès.pdf", b"%PDF-1.4 plan", content_type="application/pdf")})
    booking.refresh_from_db()

    page = studio.get(reverse("admin:booker_booking_change", args=[booking.pk])).content.decode()
    link = reverse("admin:booker_booking_answer", args=[booking.pk, question.pk])
    assert link in page and "answers/" not in page.split("Plan", 1)[1][:200]
    response = studio.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert "attachment" in response["Content-Disposition"]

    assert studio.get(reverse("admin:booker_booking_answer",
                              args=[booking.pk, question.pk + 1])).status_code == 404

    client.force_login(user_with_role(roles.RETOUCHER))
    assert client.get(link).status_code in (302, 403, 404)


def _move_in_admin(studio, session, when):
    from booker.booking.availability import PARIS

    local = when.astimezone(PARIS)
    return studio.post(reverse("admin:booker_photosession_change", args=[session.pk]), {
        "title": session.title, "client": session.client_id or "", "company": "",
        "photographer": session.photographer_id, "package": "",
        "scheduled_at_0": local.strftime("%d/%m/%Y"), "scheduled_at_1": local.strftime("%H:%M"),
        "duration_minutes": session.duration_minutes, "location": session.location,
        "quota": session.quota, "extra_photo_price": session.extra_photo_price or "",
        "notes": "",
    }, follow=True)


def test_the_studio_is_warned_when_it_moves_a_booked_session_onto_a_busy_time(
        studio, photographer):
    from datetime import timedelta

    from booker import services

    booking = _request_for(photographer)
    services.approve_booking(booking, actor=photographer)
    session = booking.session
    session.refresh_from_db()
    other_start = booking.starts_at + timedelta(hours=3)
    PhotoSession.objects.create(title="Autre", client=UserFactory(), photographer=photographer,
                                scheduled_at=other_start, duration_minutes=60)

    onto_other = _move_in_admin(studio, session, other_start + timedelta(minutes=15))
    session.refresh_from_db()
    assert session.scheduled_at == other_start + timedelta(minutes=15)
    assert "pas un créneau libre" in onto_other.content.decode()

    free = _move_in_admin(studio, session, booking.starts_at + timedelta(minutes=35))
    session.refresh_from_db()
    assert session.scheduled_at == booking.starts_at + timedelta(minutes=35)
    assert "pas un créneau libre" not in free.content.decode()
