"""A company's erasure (issue 21, GDPR; booker.company_privacy, run by booker.erasure): from the
company list of /admin/, whoever runs the studio confirms on a page listing what goes, the files
and the members (each member who belongs to no other company may be ticked for their own
erasure); the worker deletes the files of its sessions from every tier, anonymises the company
and its CRM contact, and removes its team. Its invoices' part is tested in
tests/shop/test_personal_data_erasure.py, on S3 in tests/storage/test_erasure_s3.py."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from booker import company_privacy, erasure, roles, storage
from booker.archive import services as archive
from booker.crm import services as crm
from booker.models import (
    Company,
    Contact,
    ContactNote,
    Lead,
    MarketingConsent,
    Membership,
    PersonalDataErasure,
    PhotoSession,
    Rush,
    SelectionItem,
    TeamInvitation,
    User,
)
from booker.people import personal_data
from tests.booker.factories_studio import company_lead, delivered_session
from tests.booker.test_personal_data_erasure import still_there, stored_files
from tests.factories import ROLE_NAMES, CompanyFactory, MembershipFactory, user_with_role

pytestmark = pytest.mark.django_db

LIST = reverse("admin:booker_company_changelist")


@pytest.fixture
def acme() -> tuple[Company, PhotoSession]:
    """A company with a delivered session (one archived), a CRM contact with a note and a
    lead, two members (one also in another company) and a pending invitation."""
    company = CompanyFactory(name="Acme Photo SAS", legal_name="ACME SAS", siret="12345678900011",
                             vat_number="FR12345678900", billing_email="compta@acme.test",
                             address="1 rue de la Paix\n75002 Paris", email_domains="acme.test")
    session, _files = delivered_session(2, company=company, client=None, title="Portraits Acme")
    archived, _files = delivered_session(2, company=company, client=None, title="Séminaire Acme")
    archive.archive_session(archived, actor=None)
    contact = crm.contact_for_company(company)
    ContactNote.objects.create(contact=contact, body="Joindre Mme Durand au 06 11 22 33 44")
    Lead.objects.create(contact=contact, name="Mme Durand", email="durand@acme.test",
                        message="Devis séminaire")
    MarketingConsent.objects.create(email="compta@acme.test", consent_text="Oui",
                                    requested_at=timezone.now())
    approver = company_lead(company)
    elsewhere = MembershipFactory(company=company).user
    MembershipFactory(user=elsewhere)  # belongs to another company too
    TeamInvitation.objects.create(company=company, email="nouveau@acme.test", nonce="n",
                                  expires_at=timezone.now() + timedelta(days=7))
    SelectionItem.objects.filter(selection__session=session, picked=True).update(
        comment=f"Recadrer — {approver.email}")
    return company, session


def erase_by_admin(client, company: Company, *, members=(), confirm: bool = True):
    data = {"action": "erase_company_data", "_selected_action": [company.pk], "apply": "yes",
            "members": [m.pk for m in members]}
    if confirm:
        data["confirm"] = "on"
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(LIST, data, follow=True)


def company_files(company: Company) -> list[tuple[str, str]]:
    return [f for s in PhotoSession.objects.filter(company=company) for f in stored_files(s)]


def test_the_confirmation_page_counts_the_files_and_offers_only_single_company_members(
        client, acme):
    company, _session = acme
    approver = company_lead(company)
    elsewhere = company.memberships.exclude(user=approver).get().user
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    page = client.post(LIST, {"action": "erase_company_data", "_selected_action": [company.pk]})

    text = page.content.decode()
    assert page.status_code == 200
    assert "Effacer les données de cette entreprise ?" in text
    assert "Épreuves et vignettes : 12" in text and "Originaux archivés : 3" in text
    assert f'name="members" value="{approver.pk}"' in text
    assert f'name="members" value="{elsewhere.pk}"' not in text
    assert elsewhere.email in text  # listed among those who stay
    assert Company.objects.get(pk=company.pk).name == "Acme Photo SAS"  # nothing happened yet


def test_the_worker_erases_the_company_its_files_and_the_ticked_member(client, acme):
    company, session = acme
    approver = company_lead(company)
    elsewhere = company.memberships.exclude(user=approver).get().user
    files = company_files(company)
    assert {tier for tier, _name in files} == {storage.ORIGINALS, storage.PROOFS,
                                              storage.ARCHIVE}
    photographer = user_with_role(roles.PHOTOGRAPHER)
    client.force_login(photographer)

    response = erase_by_admin(client, company, members=[approver])

    assert "Effacement lancé" in response.content.decode()
    record = PersonalDataErasure.objects.get(company=company)
    assert record.status == "done" and record.erased_by == photographer
    assert still_there(files) == []
    assert sum(record.counts["files"].values()) == len(files)
    assert not Rush.objects.filter(session__company=company).exists()
    # The company stays for its invoices, with only what they show.
    company.refresh_from_db()
    assert company.name == company_privacy.ERASED_COMPANY and company.billing_email == ""
    assert company.address == "" and company.email_domains == ""
    assert (company.legal_name, company.siret, company.vat_number) == (
        "ACME SAS", "12345678900011", "FR12345678900")
    contact = Contact.objects.get(company=company)
    assert (contact.name, contact.email, contact.phone) == (company_privacy.ERASED_COMPANY,
                                                            "", "")
    assert not ContactNote.objects.exists() and not Lead.objects.exists()
    assert not MarketingConsent.objects.exists()
    assert not Membership.objects.filter(company=company).exists()
    assert not TeamInvitation.objects.filter(company=company).exists()
    session.refresh_from_db()
    assert session.title != "Portraits Acme" and session.status == "delivered"
    # The ticked member is erased by an erasure of their own; the other stays, elsewhere.
    member_record = PersonalDataErasure.objects.get(person=approver)
    assert member_record.status == "done"
    assert not User.objects.get(pk=approver.pk).is_active
    assert User.objects.get(pk=elsewhere.pk).email == elsewhere.email
    assert User.objects.get(pk=elsewhere.pk).is_active
    assert Membership.objects.filter(user=elsewhere).count() == 1
    # What the export shows now holds nothing of what named it.
    text = personal_data.export_company_json(company)
    for word in ("Acme Photo SAS", "compta@acme.test", "Durand", "Portraits Acme",
                 "rue de la Paix", approver.email):
        assert word not in text, word


def test_a_member_of_another_company_cannot_be_erased_with_it(client, acme):
    company, _session = acme
    elsewhere = company.memberships.exclude(user=company_lead(company)).get().user
    files = company_files(company)
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    erase_by_admin(client, company, members=[elsewhere])

    assert not PersonalDataErasure.objects.exists()
    assert company_files(company) == files
    with pytest.raises(erasure.ErasureRefused):
        erasure.request_company(company, actor=user_with_role("superuser"),
                                files_confirmed=True, members=[elsewhere])


def test_without_the_confirmation_nothing_is_erased(client, acme):
    company, _session = acme
    files = company_files(company)
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    response = erase_by_admin(client, company, confirm=False)

    assert "Cochez la case pour confirmer l&#x27;effacement." in response.content.decode()
    assert company_files(company) == files and not PersonalDataErasure.objects.exists()
    with pytest.raises(erasure.ErasureRefused):
        erasure.request_company(company, actor=user_with_role("superuser"),
                                files_confirmed=False)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_photographers_and_superusers_erase_a_company(client, acme, role):
    company, _session = acme
    files = company_files(company)
    client.force_login(user_with_role(role))

    erase_by_admin(client, company)

    erased = PersonalDataErasure.objects.filter(company=company, status="done").exists()
    assert erased is (role in (roles.PHOTOGRAPHER, "superuser"))
    assert still_there(files) == ([] if erased else files)
    assert erasure.may_erase_company(user_with_role(role)) is erased


def test_the_companys_data_exports_as_json(client, acme):
    company, _session = acme
    client.force_login(user_with_role(roles.PHOTOGRAPHER))

    response = client.post(LIST, {"action": "export_company_data",
                                  "_selected_action": [company.pk]})

    assert response["Content-Type"].startswith("application/json")
    assert "donnees-entreprise-" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["company"]["billing_email"] == "compta@acme.test"
    assert data["crm_contact"]["notes"][0]["text"].startswith("Joindre Mme Durand")
    assert len(data["team"]["members"]) == 2 and len(data["team"]["invitations"]) == 1
    assert {s["title"] for s in data["photo_sessions"]} == {"Portraits Acme", "Séminaire Acme"}
    assert "nonce" not in response.content.decode()
