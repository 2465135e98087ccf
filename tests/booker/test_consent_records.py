"""Consents given or withdrawn outside the site (issue 21): a model release signed on paper at
the shoot, a yes at a wedding fair, a phone call asking to stop. Staff who keep the CRM record
them on the person's contact, with the text, the date the person said it, how, and who
recorded it; they show on the contact's timeline and consents, and stay append-only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from booker import roles, selectors
from booker.crm import services as crm
from booker.crm import timeline
from booker.models import Contact, MarketingConsent
from tests.factories import CompanyFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

Purpose, Status, Source = (MarketingConsent.Purpose, MarketingConsent.Status,
                           MarketingConsent.Source)


def page_of(contact: Contact) -> str:
    return f"/admin/booker/contact/{contact.pk}/consentement/"


@pytest.fixture
def photographer():
    return user_with_role(roles.PHOTOGRAPHER, is_staff=True, first_name="Paula",
                          last_name="Photo")


@pytest.fixture
def studio(photographer):
    c = Client()
    c.force_login(photographer)
    return c


@pytest.fixture
def claire():
    return crm.contact_for_user(UserFactory(email="claire@example.test", first_name="Claire"))


def test_the_contact_page_offers_to_record_a_consent_prefilled_with_the_studios_text(
        studio, claire):
    contact_page = studio.get(f"/admin/booker/contact/{claire.pk}/change/").content.decode()
    assert page_of(claire) in contact_page and "Enregistrer un consentement" in contact_page
    form = studio.get(page_of(claire) + "?purpose=photo_use").content.decode()
    assert "montre des photos de moi sur son site" in form  # the current text, in French
    assert 'value="paper_form" selected' in form
    withdrawal = studio.get(page_of(claire) + "?purpose=marketing&decision=withdrawn")
    assert "Désinscription de la newsletter" in withdrawal.content.decode()


def test_a_paper_model_release_is_recorded_with_its_proof(studio, photographer, claire):
    signed = timezone.localdate() - timedelta(days=3)
    response = studio.post(page_of(claire), {
        "purpose": Purpose.PHOTO_USE, "decision": "given", "source": Source.PAPER_FORM,
        "consent_text": "J'autorise le studio à publier mes photos (formulaire n° 12).",
        "given_on": signed.isoformat()})
    assert response.status_code == 302
    row = MarketingConsent.objects.get()
    assert (row.contact, row.email, row.purpose, row.status, row.source) == (
        claire, "claire@example.test", Purpose.PHOTO_USE, Status.CONFIRMED, Source.PAPER_FORM)
    assert row.consent_text == "J'autorise le studio à publier mes photos (formulaire n° 12)."
    assert timezone.localtime(row.confirmed_at).date() == signed
    assert row.requested_at == row.confirmed_at
    assert row.recorded_by == photographer and row.recorded_at.date() == timezone.now().date()
    assert row.ip_hash == "" and row.withdrawn_at is None
    assert selectors.photo_use_granted("claire@example.test")
    # On the contact's timeline and its consents, and in the consents' list.
    entry = next(e for e in timeline.timeline(claire) if e.kind == timeline.CONSENT)
    assert entry.title == "Consentement donné : Photos montrées sur le site et dans le portfolio"
    assert "Formulaire papier signé" in entry.detail and "Paula Photo" in entry.detail
    contact_page = studio.get(f"/admin/booker/contact/{claire.pk}/change/").content.decode()
    assert "formulaire n° 12" in contact_page and "enregistré par Paula Photo" in contact_page
    assert "claire@example.test" in studio.get(
        "/admin/booker/marketingconsent/?source=paper_form").content.decode()


def test_a_phone_call_to_stop_is_recorded_on_the_persons_behalf_and_ends_their_consent(
        studio, photographer, claire):
    online = crm.grant("claire@example.test", Purpose.MARKETING, consent_text="Oui en ligne",
                       source=Source.ACCOUNT)
    assert selectors.may_receive_marketing("claire@example.test", b2b=False)
    response = studio.post(page_of(claire), {
        "purpose": Purpose.MARKETING, "decision": "withdrawn", "source": Source.PHONE,
        "consent_text": "Ne m'envoyez plus vos offres (appel du jour).",
        "given_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert not selectors.may_receive_marketing("claire@example.test", b2b=False)
    assert not selectors.may_receive_marketing("claire@example.test", b2b=True)
    # The consent given online is withdrawn, never rewritten: its proof stays as it was.
    online_after = MarketingConsent.objects.get(pk=online.pk)
    assert online_after.status == Status.WITHDRAWN and online_after.withdrawn_at
    assert (online_after.consent_text, online_after.source, online_after.recorded_by) == (
        "Oui en ligne", Source.ACCOUNT, None)
    said_no = MarketingConsent.objects.exclude(pk=online.pk).get()
    assert (said_no.status, said_no.source, said_no.recorded_by, said_no.confirmed_at) == (
        Status.WITHDRAWN, Source.PHONE, photographer, None)
    assert said_no.consent_text == "Ne m'envoyez plus vos offres (appel du jour)."
    titles = [e.title for e in timeline.timeline(claire) if e.kind == timeline.CONSENT]
    assert titles.count("Consentement retiré : Newsletter et offres") == 2


def test_a_yes_at_a_fair_counts_even_with_an_unconfirmed_online_request(studio, claire):
    crm.request_newsletter_consent("claire@example.test", consent_text="oui",
                                   confirm_link=str, unsubscribe_link=str)
    studio.post(page_of(claire), {
        "purpose": Purpose.MARKETING, "decision": "given", "source": Source.IN_PERSON,
        "consent_text": "Oui à la newsletter (salon du mariage)",
        "given_on": (timezone.localdate() - timedelta(days=20)).isoformat()})
    assert selectors.newsletter_status("claire@example.test") == Status.CONFIRMED


@pytest.mark.parametrize("role", [roles.RETOUCHER, roles.SHOP_MANAGER])
def test_a_role_without_the_crm_rights_cannot_record_a_consent(role, claire):
    c = Client()
    c.force_login(user_with_role(role, is_staff=True))
    assert c.get(page_of(claire)).status_code == 403
    response = c.post(page_of(claire), {
        "purpose": Purpose.PHOTO_USE, "decision": "given", "source": Source.PAPER_FORM,
        "consent_text": "oui", "given_on": timezone.localdate().isoformat()})
    assert response.status_code == 403
    assert not MarketingConsent.objects.exists()


def test_a_consent_dated_in_the_future_or_on_a_company_is_refused(studio, claire):
    response = studio.post(page_of(claire), {
        "purpose": Purpose.PHOTO_USE, "decision": "given", "source": Source.PAPER_FORM,
        "consent_text": "oui", "given_on": (date.today() + timedelta(days=2)).isoformat()})
    assert response.status_code == 400
    assert "daté dans le futur" in response.content.decode()
    company = crm.contact_for_company(CompanyFactory(billing_email="compta@acme.test"))
    assert studio.get(page_of(company)).status_code == 302
    with pytest.raises(crm.StudioError):
        crm.record_consent(company, Purpose.MARKETING, granted=True, source=Source.EMAIL,
                           consent_text="oui", given_at=timezone.now(), recorded_by=None)
    assert not MarketingConsent.objects.exists()
