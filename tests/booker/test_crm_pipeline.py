"""The leads' pipeline (issue 21): new → contacted → quoted → booked, or lost; each move
through the pipeline's state machine, by staff on the board or by a booking; origin and
estimated value; the board in the admin, for the studio only."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from booker import services
from booker.crm import services as crm
from booker.errors import IllegalTransition
from booker.events import Event, emit
from booker.models import Lead
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Stage = Lead.Status


def lead(email="lea@example.test", **fields) -> Lead:
    return services.record_lead(email=email, name=fields.pop("name", "Léa"), **fields)


def test_a_lead_from_the_form_starts_new_with_its_origin_and_value():
    written = lead(estimated_value=Decimal("1200.00"))
    assert (written.status, written.origin, written.estimated_value) == (
        Stage.NEW, Lead.Origin.FORM, Decimal("1200.00"))


def test_staff_move_a_lead_stage_by_stage_and_may_skip_ahead():
    written = lead()
    for stage in (Stage.CONTACTED, Stage.QUOTED, Stage.BOOKED):
        assert crm.move_lead(written, stage) is True
        assert written.status == stage
    skipping = lead(email="other@example.test")
    assert crm.move_lead(skipping, Stage.BOOKED) is True


def test_a_move_the_pipeline_does_not_allow_is_refused_in_words():
    written = lead()
    crm.move_lead(written, Stage.BOOKED)
    with pytest.raises(IllegalTransition, match="Réservé"):
        crm.move_lead(written, Stage.CONTACTED)


def test_a_lost_lead_can_be_reopened():
    written = lead()
    crm.move_lead(written, Stage.LOST)
    assert crm.move_lead(written, Stage.NEW) is True


def test_a_session_the_studio_books_books_the_client_s_open_lead(
        django_capture_on_commit_callbacks):
    client = UserFactory(email="lea@example.test")
    written = lead()
    with django_capture_on_commit_callbacks(execute=True):
        services.create_session(client=client, title="Portrait")
    written.refresh_from_db()
    assert written.status == Stage.BOOKED


def test_an_online_booking_confirmed_books_the_person_s_open_lead_found_by_email(
        django_capture_on_commit_callbacks):
    written = Lead.objects.create(email="lea@example.test", name="Léa")  # never linked
    booker = UserFactory(email="Lea@Example.test")
    with django_capture_on_commit_callbacks(execute=True):
        emit(Event.BOOKING_CONFIRMED, subject="booking:1", user=booker)
    written.refresh_from_db()
    assert written.status == Stage.BOOKED


def test_a_booking_books_only_the_newest_open_lead_and_leaves_lost_ones(
        django_capture_on_commit_callbacks):
    client = UserFactory(email="lea@example.test")
    lost, older, newer = lead(), lead(), lead()
    crm.move_lead(lost, Stage.LOST)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_session(client=client, title="Portrait")
    for row in (lost, older, newer):
        row.refresh_from_db()
    assert (lost.status, older.status, newer.status) == (Stage.LOST, Stage.NEW, Stage.BOOKED)


def test_someone_else_s_booking_leaves_the_lead_alone(django_capture_on_commit_callbacks):
    written = lead()
    with django_capture_on_commit_callbacks(execute=True):
        services.create_session(client=UserFactory(), title="Portrait")
    written.refresh_from_db()
    assert written.status == Stage.NEW


def test_the_migration_turns_won_leads_into_booked_ones_and_form_leads_into_form_origin():
    won = Lead.objects.create(email="a@example.test", status="won", source="Formulaire",
                              origin=Lead.Origin.OTHER)
    migration = importlib.import_module("booker.migrations.0043_lead_pipeline")
    migration.won_is_booked(apps, None)
    won.refresh_from_db()
    assert (won.status, won.origin) == (Stage.BOOKED, Lead.Origin.FORM)


# --- The board --------------------------------------------------------------------------------

BOARD = "/admin/booker/lead/tableau/"


@pytest.mark.slow  # the first admin page a worker renders: about 2 s
def test_the_board_shows_a_column_per_stage_and_a_card_per_lead(studio):
    lead(name="Léa Martin", estimated_value=Decimal("850"))
    page = studio.get(BOARD)
    assert page.status_code == 200
    html = page.content.decode()
    for column in ("Nouveau", "Contacté", "Devis envoyé", "Réservé", "Perdu"):
        assert column in html
    assert "Léa Martin" in html and "Formulaire de contact" in html and "850" in html
    assert "→ Contacté" in html and "Reçu il y a" in html


def test_a_card_s_button_moves_its_lead_without_javascript(studio):
    written = lead()
    response = studio.post(f"/admin/booker/lead/{written.pk}/deplacer/", {"to": "contacted"})
    assert response.status_code == 302 and response["Location"] == BOARD
    written.refresh_from_db()
    assert written.status == Stage.CONTACTED


def test_a_refused_move_on_the_board_says_why_and_changes_nothing(studio):
    written = lead()
    crm.move_lead(written, Stage.BOOKED)
    response = studio.post(f"/admin/booker/lead/{written.pk}/deplacer/", {"to": "new"},
                           follow=True)
    assert "ne peut pas passer" in response.content.decode()
    written.refresh_from_db()
    assert written.status == Stage.BOOKED


def test_the_lead_list_links_to_the_board_and_offers_no_stage_to_type(studio):
    written = lead()
    assert BOARD in studio.get("/admin/booker/lead/").content.decode()
    form = studio.get(f"/admin/booker/lead/{written.pk}/change/").context["adminform"].form
    assert "status" not in form.fields


def test_the_board_and_its_moves_are_refused_to_a_client_and_a_retoucher(client, retoucher):
    written = lead()
    client.force_login(UserFactory())
    assert client.get(BOARD).status_code == 302  # to the login page
    client.force_login(retoucher)
    assert client.get(BOARD).status_code == 403
    assert client.post(f"/admin/booker/lead/{written.pk}/deplacer/",
                       {"to": "lost"}).status_code == 403
    written.refresh_from_db()
    assert written.status == Stage.NEW


def test_one_online_booking_wins_one_lead_though_it_says_so_twice(
        django_capture_on_commit_callbacks):
    client = UserFactory(email="lea@example.test")
    older, newer = lead(), lead()
    with django_capture_on_commit_callbacks(execute=True):
        # An online booking's confirmation: the session is booked, then the booking confirmed.
        session = services.create_session(client=client, title="Portrait")
        emit(Event.BOOKING_CONFIRMED, session=session, subject="booking:1", user=client)
    older.refresh_from_db(), newer.refresh_from_db()
    assert (older.status, newer.status) == (Stage.NEW, Stage.BOOKED)


def test_a_company_booking_confirmed_wins_the_open_lead_of_the_member_who_booked(
        django_capture_on_commit_callbacks):
    from tests.booker.factories_studio import PhotoSessionFactory
    from tests.factories import CompanyFactory

    member = UserFactory(email="nina@acme.test")
    written = lead(email="nina@acme.test")
    session = PhotoSessionFactory(client=None, company=CompanyFactory())
    with django_capture_on_commit_callbacks(execute=True):
        emit(Event.BOOKING_CONFIRMED, session=session, subject="booking:2", user=member)
    written.refresh_from_db()
    assert written.status == Stage.BOOKED
