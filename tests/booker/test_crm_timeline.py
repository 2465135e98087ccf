"""A contact's timeline (issue 21): the domain events of their sessions and account, the
automation's emails (sent and not delivered), their leads, the studio's notes and tasks, the
downloads, and whatever other parts register (the shop's orders), newest first; shown in the
admin on the contact's page and on each session's, where notes and tasks are added."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from booker import services
from booker.automation.models import Message
from booker.crm import services as crm
from booker.crm import timeline
from booker.events import Event, emit
from booker.models import ContactNote, ContactTask, SessionEvent
from tests.booker.factories_studio import PhotoSessionFactory
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(row, minutes_ago: int) -> None:
    """Date a row `minutes_ago` minutes back, whatever its date field is called."""
    field = "created_at"
    type(row).objects.filter(pk=row.pk).update(
        **{field: timezone.now() - timedelta(minutes=minutes_ago)})


@pytest.fixture
def person():
    return UserFactory(email="cleo@example.test", first_name="Cléo")


def titles(entries) -> list[str]:
    return [entry.title for entry in entries]


def test_the_timeline_merges_events_emails_leads_notes_and_tasks_newest_first(person):
    lead = services.record_lead(email=person.email, subject="Mariage")
    contact = lead.contact
    session = PhotoSessionFactory(client=person, title="Mariage de Cléo")
    booked = emit(Event.SESSION_BOOKED, session=session)
    sent = Message.objects.create(key="k1", action="email", user=person, session=session,
                                  recipient=person.email, subject="Vos épreuves",
                                  status=Message.Status.SENT, sent_at=timezone.now())
    bounced = Message.objects.create(key="k2", action="email", recipient=person.email,
                                     subject="Rappel", status=Message.Status.DEAD,
                                     last_error="550 mailbox unavailable")
    note = crm.add_note(contact, "Préfère être appelée le soir", author=None)
    task = crm.add_task(contact, "Envoyer le devis", author=None)
    for row, minutes in ((lead, 60), (booked, 50), (bounced, 30), (note, 20), (task, 10)):
        at(row, minutes)
    Message.objects.filter(pk=sent.pk).update(sent_at=timezone.now() - timedelta(minutes=40))

    entries = timeline.timeline(contact)
    assert titles(entries) == ["Tâche", "Note du studio", "E-mail non remis",
                               "E-mail envoyé", "Séance réservée", "Demande reçue"]
    assert entries[2].alert and "550" in entries[2].detail
    assert entries[4].detail == "Mariage de Cléo"


def test_the_studio_s_inner_workings_stay_off_the_client_s_timeline(person):
    session = PhotoSessionFactory(client=person)
    emit(Event.PROOFS_PUBLISHED, session=session)
    emit(Event.JOB_ASSIGNED, session=session, jobs=[1], assignee=1)
    emit(Event.PROOF_MOVED, session=session)
    assert titles(timeline.timeline(crm.contact_for_user(person))) == ["Épreuves publiées"]


def test_a_company_timeline_has_its_sessions_and_its_team_events():
    company = CompanyFactory(name="Acme")
    session = PhotoSessionFactory(client=None, company=company)
    emit(Event.SESSION_DELIVERED, session=session)
    emit(Event.TEAM_JOINED, subject=f"company:{company.pk}", company=company.pk,
         email="nina@acme.test", role="member")
    emit(Event.SESSION_DELIVERED, session=PhotoSessionFactory())  # another client's
    entries = timeline.timeline(crm.contact_for_company(company))
    assert len(entries) == 2
    assert {e.session_id for e in entries} == {session.pk, None}


def test_a_session_s_timeline_keeps_its_own_entries_and_the_contact_wide_ones(person):
    contact = crm.contact_for_user(person)
    mine, other = PhotoSessionFactory(client=person), PhotoSessionFactory(client=person)
    emit(Event.SESSION_DELIVERED, session=mine)
    emit(Event.SESSION_DELIVERED, session=other)
    crm.add_note(contact, "Client fidèle", author=None)
    entries = timeline.timeline(contact, session=mine)
    assert {e.session_id for e in entries} == {mine.pk, None}
    assert len(entries) == 2


def test_a_registered_source_adds_its_entries(person, monkeypatch):
    monkeypatch.setattr(timeline, "_sources", list(timeline.registered()))
    timeline.register(lambda contact: [timeline.Entry(timezone.now(), "campaign", "Campagne")])
    assert titles(timeline.timeline(crm.contact_for_user(person))) == ["Campagne"]


@pytest.mark.slow  # Oscar's order factory: about 1 s
def test_the_shop_s_orders_are_on_the_customer_s_timeline(person):
    from oscar.test.factories import create_order

    order = create_order(user=person)
    entries = timeline.timeline(crm.contact_for_user(person))
    assert [e.title for e in entries if e.kind == timeline.ORDER] == [
        f"Commande {order.number}"]
    assert entries[0].url.endswith(f"/{order.number}/")


# --- In the admin ----------------------------------------------------------------------------


def test_the_contact_page_shows_the_timeline_to_the_studio(studio, person):
    contact = services.record_lead(email=person.email, subject="Portrait de famille").contact
    page = studio.get(f"/admin/booker/contact/{contact.pk}/change/")
    assert page.status_code == 200
    assert "Demande reçue" in page.content.decode()


def _inline(prefix: str, **row) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    data.update({f"{prefix}-0-{name}": value for name, value in row.items()})
    return data


def test_a_note_and_a_task_added_on_the_session_page_land_on_its_contact(studio, photographer,
                                                                        person):
    session = PhotoSessionFactory(client=person, title="Portrait")
    url = f"/admin/booker/photosession/{session.pk}/change/"
    page = studio.get(url)
    assert page.status_code == 200 and "chronologie" in page.content.decode().lower()
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(_inline("crm_notes", body="A demandé un tirage A3"))
    data.update(_inline("crm_tasks", title="Rappeler pour le tirage",
                        due_on="15/12/2026", assignee=str(photographer.pk)))
    response = studio.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    note, task = ContactNote.objects.get(), ContactTask.objects.get()
    assert note.contact.user == person and note.author == photographer
    assert (task.contact, task.session, task.assignee) == (note.contact, session, photographer)
    assert not SessionEvent.objects.filter(session=session, name="session.rescheduled").exists()


def test_the_timeline_costs_as_many_queries_for_three_sessions_as_for_one(
        person, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contact = crm.contact_for_user(person)
    emit(Event.SESSION_DELIVERED, session=PhotoSessionFactory(client=person))
    with CaptureQueriesContext(connection) as one:
        timeline.timeline(contact)
    for _ in range(2):
        session = PhotoSessionFactory(client=person)
        emit(Event.SESSION_DELIVERED, session=session)
        crm.add_note(contact, "Rappel", author=UserFactory(is_staff=True), session=session)
        crm.add_task(contact, "Relancer", author=None, assignee=UserFactory(is_staff=True))
    with django_assert_max_num_queries(len(one)):
        entries = timeline.timeline(contact)
    assert len(entries) == 7


def test_the_session_page_shows_the_client_s_timeline_even_for_an_account_without_contact(
        studio, person):
    session = PhotoSessionFactory(client=person)
    emit(Event.SESSION_DELIVERED, session=session)
    page = studio.get(f"/admin/booker/photosession/{session.pk}/change/")
    assert "Photos livrées" in page.content.decode()


def test_a_retoucher_reads_a_session_without_the_client_s_timeline(client, retoucher):
    from booker.retouch.models import RetouchJob
    from tests.booker.factories_studio import retouching_session

    session, jobs = retouching_session()
    RetouchJob.objects.filter(pk=jobs[0].pk).update(assignee=retoucher)
    emit(Event.SESSION_DELIVERED, session=session)
    client.force_login(retoucher)
    page = client.get(f"/admin/booker/photosession/{session.pk}/change/")
    assert page.status_code == 200
    assert "Photos livrées" not in page.content.decode()


def test_a_session_form_posted_without_the_notes_section_still_saves(studio, person):
    session = PhotoSessionFactory(client=person, title="Portrait")
    url = f"/admin/booker/photosession/{session.pk}/change/"
    form = studio.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["title"] = "Portrait de Cléo"
    assert studio.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.title == "Portrait de Cléo"


def test_a_gallery_visit_is_on_the_timeline_once_a_day_and_staff_looking_is_no_visit(
        client, photographer):
    from django.urls import reverse

    from tests.booker.factories_studio import proofing_session

    session = proofing_session(3)
    url = reverse("portal:session", args=[session.pk])
    client.force_login(session.client)
    for _ in range(3):
        assert client.get(url).status_code == 200
    visits = SessionEvent.objects.filter(session=session, name=Event.GALLERY_VISITED)
    assert visits.count() == 1 and visits.get().actor == session.client
    client.force_login(photographer)
    client.get(url)
    assert visits.count() == 1
    entries = timeline.timeline(crm.contact_for_user(session.client))
    assert "Galerie consultée" in titles(entries)


def test_the_studio_s_own_emails_about_a_company_session_stay_off_the_company_s_timeline():
    company = CompanyFactory(name="Acme")
    session = PhotoSessionFactory(client=None, company=company)
    for role, to in (("client", "equipe@acme.test"), ("photographer", "studio@example.test"),
                     ("retoucher", "retouche@example.test")):
        Message.objects.create(key=f"t:{role}", action="email", session=session, recipient=to,
                               recipient_role=role, subject=f"pour {role}",
                               status=Message.Status.SENT, due_at=timezone.now())
    details = [e.detail for e in timeline.timeline(crm.contact_for_company(company))]
    assert any("pour client" in d for d in details)
    assert not any("pour photographer" in d or "pour retoucher" in d for d in details)
