"""The online booking's pages (booker/views/booking.py, portal_booking.py): the session types,
the month and a day's slots, the hold, each step (questions, account, contract, payment), the
booking's page and its contract, and the portal's move and cancel. Who may see a booking: its
holder or owner; anybody else gets the same 404 as a token that does not exist."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from booker import roles, selectors, services
from booker.booking import payments
from booker.booking.availability import PARIS
from booker.models import Booking, BookingQuestion, Membership, WeeklyHours
from booker.views.booking import HOLDER_KEY
from tests.factories import (
    PASSWORD,
    CompanyFactory,
    MembershipFactory,
    SessionTypeFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db

Status = Booking.Status


@pytest.fixture
def photographer():
    who = user_with_role(roles.PHOTOGRAPHER, first_name="Marie", last_name="Curie")
    for weekday in range(7):
        WeeklyHours.objects.create(photographer=who, weekday=weekday, start=time(9),
                                   end=time(17))
    return who


@pytest.fixture
def portrait(photographer):
    session_type = SessionTypeFactory(name="Portrait studio", slug="portrait",
                                      price=Decimal("150"), deposit_amount=Decimal("50"),
                                      summary="Une heure au studio.")
    session_type.photographers.add(photographer)
    return session_type


@pytest.fixture
def day():
    """A Paris date a week ahead: free of any notice."""
    return timezone.now().astimezone(PARIS).date() + timedelta(days=7)


def at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def deposit_page():
    """The shop's deposit page, as the shop registers it (restored after the test)."""
    saved = list(payments._page)
    payments.register_deposit_page(lambda booking: f"/shop/acompte/{booking.token}/")
    yield
    payments._page[:] = saved


def hold_as_visitor(client, session_type, start: datetime):
    response = client.post(reverse("booking:type", args=[session_type.slug]),
                           {"start": start.isoformat()})
    booking = Booking.objects.order_by("-pk").first()
    return response, booking


def signed_booking(user, session_type, start: datetime, *, company=None) -> Booking:
    booking = services.hold_slot(session_type, start, user=user)
    services.claim_booking(booking, user=user, company=company)
    services.sign_contract(booking, name=user.get_full_name() or "Client", ip="127.0.0.1")
    return booking


def confirmed_booking(user, session_type, start: datetime) -> Booking:
    booking = signed_booking(user, session_type, start)
    services.submit_booking(booking, actor=user)
    if booking.deposit_due:
        services.booking_paid(booking.pk, booking.deposit_due, reference="test-1")
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    return booking


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The session types, the month, the day ---------------------------------------------------


def test_the_booking_index_shows_each_bookable_type_with_its_price_and_deposit(client, portrait):
    SessionTypeFactory(name="Ancienne formule", is_active=False)

    text = text_of(client.get(reverse("booking:index")))

    assert "Portrait studio" in text and "Une heure au studio." in text
    assert "150,00&nbsp;€" in text and "50,00&nbsp;€" in text
    assert "Ancienne formule" not in text
    assert reverse("booking:type", args=["portrait"]) in text


def test_the_month_links_the_free_days_and_a_chosen_day_lists_its_times(client, portrait, day):
    url = reverse("booking:type", args=["portrait"])
    month = client.get(url, {"mois": f"{day:%Y-%m}"})
    assert f"jour={day.isoformat()}" in text_of(month)

    text = text_of(client.get(url, {"jour": day.isoformat()}))
    assert f'value="{at(day, 10).isoformat()}"' in text
    assert ">10:00</button>" in text and ">16:00</button>" in text
    assert ">16:30</button>" not in text  # an hour-long session must end by 17:00


def test_a_photographer_without_hours_that_day_shows_no_time(client, portrait, day):
    colleague = user_with_role(roles.PHOTOGRAPHER, first_name="Paul")
    portrait.photographers.add(colleague)
    url = reverse("booking:type", args=["portrait"])

    text = text_of(client.get(url, {"jour": day.isoformat(), "photographe": colleague.pk}))

    assert "Tout photographe" in text and "Paul" in text
    assert "</button>" not in text.split('id="creneaux"')[1].split("</section>")[0]


def test_an_unknown_or_inactive_type_is_not_found(client, portrait):
    portrait.is_active = False
    portrait.save()
    assert client.get(reverse("booking:type", args=["portrait"])).status_code == 404
    assert client.get(reverse("booking:type", args=["nothing"])).status_code == 404


# --- The hold ---------------------------------------------------------------------------------


def test_a_visitor_holds_a_slot_with_their_browser_session(client, portrait, day):
    response, booking = hold_as_visitor(client, portrait, at(day, 10))

    assert booking.status == Status.HELD and booking.client is None
    assert booking.holder_key == client.session[HOLDER_KEY] != ""
    assert booking.starts_at == at(day, 10)
    assert response["Location"] == reverse("booking:account", args=[booking.token])
    page = text_of(client.get(response["Location"]))
    assert "Créneau réservé jusqu’à" in page
    assert timezone.localtime(booking.held_until).strftime("%H:%M") in page


def test_a_slot_just_taken_sends_back_to_the_day_with_a_message(client, portrait, day):
    services.hold_slot(portrait, at(day, 10), holder_key="someone-else")

    response, _ = hold_as_visitor(client, portrait, at(day, 10))

    assert Booking.objects.count() == 1
    assert response["Location"].startswith(reverse("booking:type", args=["portrait"]))
    assert f"jour={day.isoformat()}" in response["Location"]
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]


def test_a_post_without_a_slot_is_refused_politely(client, portrait):
    response = client.post(reverse("booking:type", args=["portrait"]), {"start": "demain"})
    assert response.status_code == 302
    assert not Booking.objects.exists()


# --- The steps --------------------------------------------------------------------------------


def test_the_questions_come_first_and_a_required_answer_is_asked_again(client, portrait, day):
    question = BookingQuestion.objects.create(session_type=portrait, label="Pour quelle occasion ?",
                                              kind=BookingQuestion.Kind.TEXT, required=True)
    optional = BookingQuestion.objects.create(
        session_type=portrait, label="Tenue", kind=BookingQuestion.Kind.CHOICE,
        choices="Ville\nSoirée", required=False, order=1)
    response, booking = hold_as_visitor(client, portrait, at(day, 10))
    url = reverse("booking:questions", args=[booking.token])
    assert response["Location"] == url
    # The later steps wait for the questions.
    assert client.get(reverse("booking:contract", args=[booking.token]))["Location"] == url

    refused = client.post(url, {f"q{question.pk}": ""})
    assert refused.status_code == 200
    assert "Pour quelle occasion ?" in text_of(refused)
    booking.refresh_from_db()
    assert booking.answers == []

    done = client.post(url, {f"q{question.pk}": "Un anniversaire", f"q{optional.pk}": "Soirée"})
    assert done["Location"] == reverse("booking:account", args=[booking.token])
    booking.refresh_from_db()
    assert [a["value"] for a in booking.answers] == ["Un anniversaire", "Soirée"]


def test_a_visitor_creates_their_account_inline_and_the_hold_becomes_theirs(client, portrait, day):
    _, booking = hold_as_visitor(client, portrait, at(day, 10))
    url = reverse("booking:account", args=[booking.token])

    response = client.post(url, {
        "first_name": "Léa", "last_name": "Martin", "email": "lea@example.test",
        "phone": "06 12 34 56 78", "password": "Un-Portrait-En-Studio-2027",
    })

    assert response["Location"] == reverse("booking:contract", args=[booking.token])
    booking.refresh_from_db()
    lea = booking.client
    assert lea.email == "lea@example.test" and lea.phone == "06 12 34 56 78"
    assert lea.check_password("Un-Portrait-En-Studio-2027")
    assert booking.booked_by == lea and booking.holder_key == ""
    assert client.get(reverse("portal:home")).status_code == 200  # logged in


def test_an_email_that_has_an_account_is_sent_to_log_in(client, portrait, day):
    UserFactory(email="lea@example.test")
    _, booking = hold_as_visitor(client, portrait, at(day, 10))
    url = reverse("booking:account", args=[booking.token])

    response = client.post(url, {
        "first_name": "Léa", "last_name": "Martin", "email": "LEA@example.test",
        "phone": "0612345678", "password": "Un-Portrait-En-Studio-2027",
    })

    assert response.status_code == 200
    assert "Un compte existe déjà" in text_of(response)
    assert f"/accounts/login/?next={url.replace('/', '%2F')}" in text_of(response)
    booking.refresh_from_db()
    assert booking.client is None


def test_a_weak_password_is_refused_with_the_reason(client, portrait, day):
    _, booking = hold_as_visitor(client, portrait, at(day, 10))
    response = client.post(reverse("booking:account", args=[booking.token]), {
        "first_name": "Léa", "last_name": "Martin", "email": "lea@example.test",
        "phone": "0612345678", "password": "12345678",
    })
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in text_of(response)


def test_logging_in_half_way_keeps_the_held_slot(client, portrait, day):
    lea = UserFactory(email="lea@example.test")
    _, booking = hold_as_visitor(client, portrait, at(day, 10))
    next_url = reverse("booking:account", args=[booking.token])

    response = client.post(f"{reverse('login')}?next={next_url}", {
        "username": "lea@example.test", "password": PASSWORD, "next": next_url,
    })
    assert response["Location"] == next_url

    page = client.get(next_url)
    assert page.status_code == 200
    assert "Vous réservez en tant que" in text_of(page)
    chosen = client.post(next_url, {"for": "me"})
    assert chosen["Location"] == reverse("booking:contract", args=[booking.token])
    booking.refresh_from_db()
    assert booking.client == lea


def test_a_company_manager_books_for_their_company(client, portrait, day):
    manager = UserFactory()
    acme = CompanyFactory(name="Acme")
    MembershipFactory(company=acme, user=manager, role=Membership.Role.ADMIN)
    MembershipFactory(company=CompanyFactory(name="Globex"), user=manager,
                      role=Membership.Role.MEMBER)
    client.force_login(manager)
    client.post(reverse("booking:type", args=["portrait"]), {"start": at(day, 10).isoformat()})
    booking = Booking.objects.get()
    url = reverse("booking:account", args=[booking.token])

    text = text_of(client.get(url))
    assert "pour moi" in text and "pour Acme" in text and "Globex" not in text
    client.post(url, {"for": str(acme.pk)})

    booking.refresh_from_db()
    assert (booking.company, booking.client, booking.booked_by) == (acme, None, manager)


def test_the_contract_needs_the_box_ticked_and_records_the_name_and_address(client, portrait,
                                                                            day):
    lea = UserFactory(first_name="Léa", last_name="Martin")
    client.force_login(lea)
    booking = services.hold_slot(portrait, at(day, 10), user=lea)
    services.claim_booking(booking, user=lea)
    url = reverse("booking:contract", args=[booking.token])

    page = text_of(client.get(url))
    assert "Portrait studio" in page and "J’ai lu et j’accepte le contrat" in page
    assert client.post(url, {"name": "Léa Martin"}).status_code == 200  # box not ticked
    booking.refresh_from_db()
    assert booking.contract_signed_at is None

    response = client.post(url, {"name": "Léa Martin", "accept": "on"},
                           REMOTE_ADDR="203.0.113.7")
    assert response["Location"] == reverse("booking:payment", args=[booking.token])
    booking.refresh_from_db()
    assert booking.contract_signed_name == "Léa Martin"
    assert booking.contract_signed_ip == "203.0.113.7"
    assert booking.contract_pdf


def test_the_contract_reads_the_studios_apostrophes_as_typed(client, portrait, day):
    portrait.cancellation_policy = "Acompte remboursé jusqu'à 7 jours avant."
    portrait.save()
    lea = UserFactory(first_name="Léa", last_name="Martin")
    client.force_login(lea)
    booking = services.hold_slot(portrait, at(day, 10), user=lea)
    services.claim_booking(booking, user=lea)

    page = client.get(reverse("booking:contract", args=[booking.token])).content.decode()

    assert "jusqu&#x27;à 7 jours" in page  # the apostrophe, escaped once for HTML
    assert "&amp;#x27;" not in page


def test_paying_the_deposit_goes_to_the_shops_page(client, portrait, day, deposit_page):
    lea = UserFactory()
    client.force_login(lea)
    booking = signed_booking(lea, portrait, at(day, 10))
    url = reverse("booking:payment", args=[booking.token])
    assert "Payer l’acompte de 50,00&nbsp;€" in text_of(client.get(url))

    response = client.post(url)

    assert response["Location"] == f"/shop/acompte/{booking.token}/"
    booking.refresh_from_db()
    assert booking.status == Status.HELD


def test_without_a_deposit_the_booking_is_confirmed_at_once(client, portrait, day):
    portrait.deposit_amount = None
    portrait.save()
    lea = UserFactory()
    client.force_login(lea)
    booking = signed_booking(lea, portrait, at(day, 10))

    response = client.post(reverse("booking:payment", args=[booking.token]))

    assert response["Location"] == reverse("booking:status", args=[booking.token])
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED and booking.session is not None
    page = text_of(client.get(response["Location"]))
    assert "Votre séance est réservée" in page
    assert reverse("booking:contract-pdf", args=[booking.token]) in page
    assert reverse("portal:session-ics", args=[booking.session.pk]) in page


def test_a_type_the_studio_approves_sends_a_request(client, portrait, day):
    portrait.needs_approval = True
    portrait.save()
    lea = UserFactory()
    client.force_login(lea)
    booking = signed_booking(lea, portrait, at(day, 10))

    response = client.post(reverse("booking:payment", args=[booking.token]))

    booking.refresh_from_db()
    assert booking.status == Status.REQUESTED
    assert "Demande envoyée" in text_of(client.get(response["Location"]))


def test_a_lapsed_hold_says_so_and_its_steps_lead_there(client, portrait, day):
    _, booking = hold_as_visitor(client, portrait, at(day, 10))
    Booking.objects.filter(pk=booking.pk).update(held_until=timezone.now() - timedelta(minutes=1))
    status_url = reverse("booking:status", args=[booking.token])

    assert client.get(reverse("booking:account", args=[booking.token]))["Location"] == status_url
    page = text_of(client.get(status_url))
    assert "Le créneau n’est plus réservé" in page
    assert reverse("booking:type", args=["portrait"]) in page


# --- Whose booking it is ----------------------------------------------------------------------


STEP_URLS = ("booking:status", "booking:questions", "booking:account", "booking:contract",
             "booking:payment", "booking:contract-pdf")


def test_another_browser_gets_404_for_a_visitors_hold(client, portrait, day):
    from django.test import Client

    _, booking = hold_as_visitor(client, portrait, at(day, 10))
    stranger = Client()
    for name in STEP_URLS[:-1]:
        assert stranger.get(reverse(name, args=[booking.token])).status_code == 404, name


def test_another_person_gets_404_for_a_booking_and_its_contract(client, portrait, day):
    lea = UserFactory()
    booking = confirmed_booking(lea, portrait, at(day, 10))
    client.force_login(UserFactory())
    for name in STEP_URLS:
        assert client.get(reverse(name, args=[booking.token])).status_code == 404, name
    for name in ("portal:booking-reschedule", "portal:booking-cancel"):
        assert client.get(reverse(name, args=[booking.token])).status_code == 404, name
        assert client.post(reverse(name, args=[booking.token])).status_code == 404, name
    assert client.get(reverse("booking:status", args=["nope"])).status_code == 404


def test_the_owner_downloads_the_signed_contract(client, portrait, day):
    lea = UserFactory()
    booking = confirmed_booking(lea, portrait, at(day, 10))
    client.force_login(lea)

    response = client.get(reverse("booking:contract-pdf", args=[booking.token]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_a_company_manager_sees_the_company_booking_a_plain_member_does_not(client, portrait,
                                                                            day):
    manager, member = UserFactory(), UserFactory()
    acme = CompanyFactory()
    MembershipFactory(company=acme, user=manager, role=Membership.Role.ADMIN)
    MembershipFactory(company=acme, user=member, role=Membership.Role.MEMBER)
    booking = signed_booking(manager, portrait, at(day, 10), company=acme)
    other_manager = UserFactory()
    MembershipFactory(company=acme, user=other_manager, role=Membership.Role.ADMIN)

    client.force_login(other_manager)
    assert client.get(reverse("booking:payment", args=[booking.token])).status_code == 200
    client.force_login(member)
    assert client.get(reverse("booking:payment", args=[booking.token])).status_code == 404


# --- The portal -------------------------------------------------------------------------------


def test_the_portal_lists_the_persons_bookings(client, portrait, day):
    lea = UserFactory()
    booking = confirmed_booking(lea, portrait, at(day, 10))
    client.force_login(lea)

    text = text_of(client.get(reverse("portal:home")))

    assert "Mes réservations" in text and "Portrait studio" in text
    assert reverse("booking:status", args=[booking.token]) in text


def test_a_client_moves_their_session_to_another_free_slot(client, portrait, day):
    lea = UserFactory()
    booking = confirmed_booking(lea, portrait, at(day, 10))
    client.force_login(lea)
    url = reverse("portal:booking-reschedule", args=[booking.token])
    new_day = day + timedelta(days=1)
    assert f'value="{at(new_day, 14).isoformat()}"' in text_of(
        client.get(url, {"jour": new_day.isoformat()}))

    response = client.post(url, {"start": at(new_day, 14).isoformat()})

    assert response["Location"] == reverse("booking:status", args=[booking.token])
    booking.refresh_from_db()
    assert booking.starts_at == at(new_day, 14)
    assert booking.session.scheduled_at == at(new_day, 14)


def test_moving_too_late_is_refused_politely(client, portrait, day):
    lea = UserFactory()
    booking = confirmed_booking(lea, portrait, at(day, 10))
    portrait.reschedule_notice_hours = 24 * 30  # the session is a week away
    portrait.save()
    client.force_login(lea)
    url = reverse("portal:booking-reschedule", args=[booking.token])

    page = client.get(url)
    assert page.status_code == 200
    assert "Il est trop tard pour déplacer celle-ci en ligne" in text_of(page)
    assert 'class="slot"' not in text_of(page)
    client.post(url, {"start": at(day + timedelta(days=1), 14).isoformat()})
    booking.refresh_from_db()
    assert booking.starts_at == at(day, 10)


def test_cancelling_shows_the_refund_then_cancels(client, portrait, day):
    portrait.refund_rules = [{"days_before": 3, "refund_percent": 100}]
    portrait.save()
    lea = UserFactory()
    booking = confirmed_booking(lea, portrait, at(day, 10))
    client.force_login(lea)
    url = reverse("portal:booking-cancel", args=[booking.token])
    assert selectors.refund_if_cancelled(booking) == Decimal("50.00")
    assert "50,00&nbsp;€ de votre acompte de 50,00&nbsp;€" in text_of(client.get(url))

    response = client.post(url)

    assert response["Location"] == reverse("portal:home")
    booking.refresh_from_db()
    assert booking.status == Status.CANCELLED
    assert "50,00" in text_of(client.get(response["Location"]))


def test_on_site_the_questions_step_asks_the_distance_and_shows_its_fee(client, portrait, day):
    portrait.location_kind = "on_site"
    portrait.travel_fees = [{"up_to_km": 15, "fee": 0}, {"up_to_km": 40, "fee": 45}]
    portrait.save()
    response, booking = hold_as_visitor(client, portrait, at(day, 10))
    url = reverse("booking:questions", args=[booking.token])
    assert response["Location"] == url

    page = text_of(client.get(url))
    assert "40 km — 45,00" in page and "15 km — sans frais" in page

    done = client.post(url, {"deplacement": "40"})
    assert done["Location"] == reverse("booking:account", args=[booking.token])
    booking.refresh_from_db()
    assert booking.price == Decimal("195.00") and booking.travel_fee == Decimal("45")
