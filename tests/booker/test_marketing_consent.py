"""Consent per purpose (issue 21): service mail needs none; marketing reaches a private person
only after their confirmed double opt-in, a company's member until they opt out; photo use on
the site is granted and withdrawn from "Mon compte". Every row keeps its source, text, time and
hashed IP."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from booker import selectors
from booker.automation.unsubscribe import token_for
from booker.crm import services as crm
from booker.models import MarketingConsent
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "/portal/compte/"
Purpose, Status, Source = (MarketingConsent.Purpose, MarketingConsent.Status,
                           MarketingConsent.Source)


def confirmed(email: str) -> MarketingConsent:
    return crm.grant(email, Purpose.MARKETING, consent_text="oui", source=Source.STAFF)


def test_service_mail_needs_no_consent_and_cannot_be_withdrawn():
    assert selectors.consent_status("a@example.test", Purpose.TRANSACTIONAL) == Status.CONFIRMED
    with pytest.raises(ValueError):
        crm.withdraw_purpose("a@example.test", Purpose.TRANSACTIONAL)
    with pytest.raises(ValueError):
        crm.grant("a@example.test", Purpose.TRANSACTIONAL, consent_text="", source=Source.STAFF)


def test_a_private_person_gets_marketing_only_with_a_confirmed_consent():
    email = "b2c@example.test"
    assert not selectors.may_receive_marketing(email, b2b=False)
    crm.request_newsletter_consent(email, consent_text="oui", confirm_link=str,
                                   unsubscribe_link=str)
    assert not selectors.may_receive_marketing(email, b2b=False)  # pending is not consent
    confirmed(email)
    assert selectors.may_receive_marketing(email, b2b=False)
    crm.withdraw_marketing(email)
    assert not selectors.may_receive_marketing(email, b2b=False)


def test_a_company_member_gets_marketing_until_an_opt_out_row_stops_it():
    email = "b2b@example.test"
    assert selectors.may_receive_marketing(email, b2b=True)
    assert crm.withdraw_marketing(email) == 0
    row = MarketingConsent.objects.get(email=email)
    assert (row.purpose, row.status, row.source) == (Purpose.MARKETING, Status.WITHDRAWN,
                                                     Source.EMAIL_LINK)
    assert row.consent_text and row.withdrawn_at is not None
    assert not selectors.may_receive_marketing(email, b2b=True)
    crm.withdraw_marketing(email)  # again: no second row
    assert MarketingConsent.objects.filter(email=email).count() == 1
    # Only their own new confirmed subscription brings them back.
    confirmed(email)
    assert selectors.may_receive_marketing(email, b2b=True)


def test_each_row_keeps_its_source_text_time_and_hashed_ip():
    row = crm.grant("p@example.test", Purpose.PHOTO_USE, consent_text="Mes photos",
                    source=Source.ACCOUNT, ip="203.0.113.9")
    assert row.status == Status.CONFIRMED and row.confirmed_at and row.requested_at
    assert row.ip_hash == crm.hash_ip("203.0.113.9") and "203.0.113.9" not in row.ip_hash
    assert (row.source, row.consent_text) == (Source.ACCOUNT, "Mes photos")


def test_photo_use_is_granted_and_withdrawn_from_the_account_page(client):
    user = UserFactory(email="claire@example.test")
    client.force_login(user)
    client.post(ACCOUNT, {"section": "photo_use", "photo_use": "on"})
    assert selectors.photo_use_granted(user.email)
    row = MarketingConsent.objects.get(purpose=Purpose.PHOTO_USE)
    assert row.source == Source.ACCOUNT and "portfolio" in row.consent_text
    client.post(ACCOUNT, {"section": "photo_use"})
    assert not selectors.photo_use_granted(user.email)
    assert MarketingConsent.objects.get(pk=row.pk).status == Status.WITHDRAWN


def test_a_company_member_opts_out_from_the_account_page(client):
    member = MembershipFactory().user
    client.force_login(member)
    page = client.get(ACCOUNT).content.decode()
    assert re.search(r'<input[^>]*name="newsletter"[^>]*checked', page)
    client.post(ACCOUNT, {"section": "marketing"})
    row = MarketingConsent.objects.get(email=member.email)
    assert (row.status, row.source) == (Status.WITHDRAWN, Source.ACCOUNT)
    assert not selectors.may_receive_marketing(member.email, b2b=True)


def test_the_one_click_post_of_a_mail_records_a_company_members_opt_out():
    email = "member@example.test"
    url = reverse("unsubscribe", args=[token_for(email, "marketing")])
    Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert not selectors.may_receive_marketing(email, b2b=True)
    assert MarketingConsent.objects.get(email=email).status == Status.WITHDRAWN


# --- The withdrawal pages say what stops -----------------------------------------------------


def withdrawal_pages(consent: MarketingConsent) -> tuple[str, str]:
    """The newsletter link's two pages (ask, done), their card only: every page's footer
    carries the newsletter's sign-up form."""
    url = reverse("newsletter-unsubscribe", args=[crm.unsubscribe_token(consent)])

    def card(response) -> str:
        return re.search(r'<div class="narrow card.*?<p><a href="/">', response.content.decode(),
                         re.S).group(0)

    return card(Client().get(url)), card(Client().post(url))


def test_withdrawing_photo_use_by_its_link_speaks_of_the_photos_not_the_newsletter():
    row = crm.grant("p@example.test", Purpose.PHOTO_USE, consent_text="Mes photos",
                    source=Source.ACCOUNT)
    ask, done = withdrawal_pages(row)
    assert "Vos photos sur le site du studio" in ask
    assert "retirer votre accord pour que le studio montre des photos de vous" in ask
    assert "Retirer mon accord" in ask
    assert "Votre accord est retiré : le studio ne montrera plus de photos de vous" in done
    assert "newsletter" not in re.sub(r"<[^>]+>", "", ask + done).lower()
    assert not selectors.photo_use_granted("p@example.test")


def test_unsubscribing_from_marketing_speaks_of_the_studios_news_and_offers():
    ask, done = withdrawal_pages(confirmed("m@example.test"))
    assert "ne plus recevoir les nouvelles et offres du studio par e-mail" in ask
    assert "vous ne recevrez plus les nouvelles et offres du studio par e-mail" in done
    url = reverse("unsubscribe", args=[token_for("m@example.test", "marketing")])
    assert "Ne plus envoyer les nouvelles et offres du studio" in Client().get(
        url).content.decode()
    assert "Vous ne recevrez plus les nouvelles et offres du studio" in Client().post(
        url, "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded").content.decode()


def test_one_withdrawal_link_stops_the_purpose_whatever_else_the_person_agreed_to():
    online = confirmed("m@example.test")
    contact = online.contact
    crm.record_consent(contact, Purpose.MARKETING, granted=True, source=Source.IN_PERSON,
                       consent_text="Oui (salon)", given_at=online.confirmed_at,
                       recorded_by=None)
    withdrawal_pages(online)
    assert not selectors.may_receive_marketing("m@example.test", b2b=False)


def test_my_account_says_what_the_photo_choice_means(client):
    user = UserFactory(email="claire@example.test")
    client.force_login(user)
    given = client.post(ACCOUNT, {"section": "photo_use", "photo_use": "on"}, follow=True)
    assert "le studio peut montrer des photos de vous" in given.content.decode()
    withdrawn = client.post(ACCOUNT, {"section": "photo_use"}, follow=True)
    assert "Le studio ne montrera plus de photos de vous" in withdrawn.content.decode()
    confirmed(user.email)
    stopped = client.post(ACCOUNT, {"section": "marketing"}, follow=True).content.decode()
    assert "Vous ne recevrez plus les nouvelles et offres du studio par e-mail." in stopped
