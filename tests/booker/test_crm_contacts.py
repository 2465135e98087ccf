"""The CRM's contacts (issue 21): one record per person and per company; the leads and the
newsletter requests of an address gather on it, and the account opened later with that
address (online sign-up, the studio's invitation, a team invitation, the shop's sign-up)
takes the contact and its leads over."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from booker import services
from booker.crm import services as crm
from booker.models import Contact, Lead, MarketingConsent, Membership, User
from booker.teams import services as teams
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Un-Mot-De-Passe-Solide-42"


def lead(email="lea@example.test", **fields) -> Lead:
    return services.record_lead(email=email, name=fields.pop("name", "Léa Martin"), **fields)


def test_a_lead_from_a_new_address_makes_a_person_contact_holding_it():
    first = lead(phone="06 11 22 33 44")
    contact = first.contact
    assert (contact.kind, contact.email, contact.name, contact.user) == (
        Contact.Kind.PERSON, "lea@example.test", "Léa Martin", None)
    assert contact.phone == "06 11 22 33 44"


def test_leads_from_one_address_in_any_case_gather_on_one_contact():
    first, second = lead(), lead(email=" LEA@Example.test ")
    assert first.contact_id == second.contact_id
    assert Contact.objects.count() == 1


def test_a_lead_from_a_client_address_lands_on_the_account_contact():
    client = UserFactory(email="claire@example.test", first_name="Claire")
    written = lead(email="claire@example.test")
    assert written.contact.user == client
    assert written.user == client


def test_a_newsletter_request_makes_the_address_a_contact():
    services.request_newsletter_consent(
        "abonne@example.test", consent_text="Oui", confirm_link=lambda t: f"/c/{t}/",
        unsubscribe_link=lambda t: f"/u/{t}/")
    assert Contact.objects.filter(email="abonne@example.test", user=None).exists()
    assert MarketingConsent.objects.filter(email="abonne@example.test").exists()


def test_two_person_contacts_of_one_address_are_refused():
    Contact.objects.create(email="x@example.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(email="x@example.test")


def test_signing_up_to_book_relinks_the_address_contact_and_its_leads():
    written = lead()
    user = services.register_client("lea@example.test", PASSWORD, first_name="Léa")
    written.refresh_from_db()
    assert written.user == user
    assert written.contact.user == user
    assert Contact.objects.count() == 1


def test_the_studio_inviting_a_client_relinks_their_contact(django_capture_on_commit_callbacks):
    written = lead()
    with django_capture_on_commit_callbacks(execute=True):
        user = services.invite_client("lea@example.test", first_name="Léa")
    written.refresh_from_db()
    assert (written.user, written.contact.user) == (user, user)


def test_accepting_a_team_invitation_opens_the_account_on_the_existing_contact(
        django_capture_on_commit_callbacks):
    company = CompanyFactory(name="Acme")
    admin = MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    written = lead(email="nina@acme.test", name="Nina")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = teams.invite_member(company, "nina@acme.test", Membership.Role.MEMBER,
                                         actor=admin)
    assert invitation.email == "nina@acme.test"
    token = re.search(r"/accounts/equipe/([^/\s]+)/", mail.outbox[-1].body).group(1)
    user = teams.accept_new(token, PASSWORD, first_name="Nina")
    written.refresh_from_db()
    assert (written.user, written.contact.user) == (user, user)


def test_signing_up_in_the_shop_relinks_the_address_contact():
    written = lead(email="nouveau@example.test")
    response = Client().post("/shop/accounts/register/", {
        "email": "nouveau@example.test", "password1": "Un-Mot-De-Passe-Neuf-9",
        "password2": "Un-Mot-De-Passe-Neuf-9", "redirect_url": "/portal/compte/",
    })
    assert response.status_code == 302
    written.refresh_from_db()
    user = User.objects.get(email="nouveau@example.test")
    assert (written.user, written.contact.user) == (user, user)


def test_an_account_and_a_stray_contact_of_its_new_address_merge_into_one():
    user = UserFactory(email="old@example.test")
    mine = crm.contact_for_user(user)
    crm.add_note(mine, "Aime la lumière du matin", author=None)
    stray = lead(email="new@example.test").contact
    User.objects.filter(pk=user.pk).update(email="new@example.test")
    user.refresh_from_db()
    merged = crm.attach_account(user)
    assert merged.pk == mine.pk and merged.email == "new@example.test"
    assert not Contact.objects.filter(pk=stray.pk).exists()
    assert set(merged.leads.values_list("email", flat=True)) == {"new@example.test"}
    assert merged.notes.count() == 1


def test_a_company_has_one_contact():
    company = CompanyFactory(name="Acme")
    first = crm.contact_for_company(company)
    assert crm.contact_for_company(company) == first
    assert (first.kind, first.name) == (Contact.Kind.COMPANY, "Acme")


def test_the_data_migration_makes_contacts_for_clients_companies_leads_and_subscribers():
    client = UserFactory(email="client@example.test", first_name="Cléo")
    UserFactory(email="staff@example.test", is_staff=True)
    company = CompanyFactory(name="Acme")
    Lead.objects.create(email="client@example.test", name="Cléo")
    stranger = Lead.objects.create(email="inconnu@example.test", name="Inconnu")
    MarketingConsent.objects.create(email="abonne@example.test", consent_text="Oui",
                                    requested_at="2026-01-01T00:00Z")
    migration = importlib.import_module("booker.migrations.0042_contacts")
    migration.contacts_for_what_exists(apps, None)
    assert Contact.objects.get(user=client).leads.count() == 1
    assert Contact.objects.filter(company=company, kind=Contact.Kind.COMPANY).exists()
    stranger.refresh_from_db()
    assert stranger.contact.email == "inconnu@example.test"
    assert Contact.objects.filter(email="abonne@example.test").exists()
    assert not Contact.objects.filter(email="staff@example.test").exists()


def test_a_person_s_data_export_has_their_contact_with_the_studio_s_notes_and_tasks():
    from booker.people import personal_data

    user = UserFactory(email="cleo@example.test")
    contact = crm.contact_for_user(user)
    crm.add_note(contact, "Allergique aux chats", author=None)
    crm.add_task(contact, "Envoyer le devis", author=None)
    section = personal_data.export(user)["crm_contact"]
    assert section["email"] == "cleo@example.test"
    assert [n["text"] for n in section["notes"]] == ["Allergique aux chats"]
    assert [t["title"] for t in section["tasks"]] == ["Envoyer le devis"]
