""""Mon compte" (/portal/compte/) and the one-click unsubscribe links: a person edits their
details and preferences; a new email address is taken only once its link is followed; the
unsubscribe link asks on GET and acts on POST (also a mail client's RFC 8058 one-click POST)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from booker.automation.unsubscribe import token_for
from booker.models import MarketingConsent, User
from booker.people import services as people
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "/portal/compte/"


@pytest.fixture
def person(client):
    user = UserFactory(email="claire@example.test", first_name="Claire", phone="")
    client.force_login(user)
    return user


def test_the_account_url_is_the_one_the_emails_use():
    assert reverse("portal:account") == ACCOUNT


def test_the_account_page_is_in_french_and_links_to_the_shop(client, person):
    page = client.get(ACCOUNT).content.decode()
    assert "Mon compte" in page and "Mes coordonnées" in page
    assert reverse("customer:order-list") in page
    assert reverse("customer:address-list") in page


def test_the_account_page_needs_a_login():
    response = Client().get(ACCOUNT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_name_and_phone_are_saved(client, person):
    response = client.post(ACCOUNT, {"section": "profile", "first_name": "Claire-Marie",
                                     "last_name": "Dupont", "phone": "06 12 34 56 78"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.phone) == (
        "Claire-Marie", "Dupont", "06 12 34 56 78")


def test_a_new_email_address_changes_only_once_its_link_is_followed(
        client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(ACCOUNT, {"section": "email", "email": "Claire.New@Example.test"})
    person.refresh_from_db()
    assert person.email == "claire@example.test"
    assert [m.to for m in mail.outbox] == [["claire.new@example.test"]]
    link = re.search(r"https?://\S+/portal/compte/email/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(path)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "claire.new@example.test"
    # The link names the address it replaces: used again, it changes nothing.
    assert "plus" in client.get(path).content.decode()


def test_a_forged_email_link_changes_nothing(client, person):
    response = client.get(reverse("portal:email-confirm", args=["forged"]))
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.email == "claire@example.test"


def test_an_address_taken_by_another_account_is_refused(client, person):
    UserFactory(email="pris@example.test")
    response = client.post(ACCOUNT, {"section": "email", "email": "pris@example.test"})
    assert response.status_code == 400
    assert "Un compte existe déjà" in response.content.decode()
    assert mail.outbox == []


def test_the_password_changes_with_the_current_one_and_the_session_stays(client, person):
    new = "Un-Nouveau-Mot-De-Passe-7"
    wrong = client.post(ACCOUNT, {"section": "password", "old_password": "faux",
                                  "new_password1": new, "new_password2": new})
    assert wrong.status_code == 400
    response = client.post(ACCOUNT, {"section": "password", "old_password": PASSWORD,
                                     "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(new)
    assert client.get(ACCOUNT).status_code == 200  # still signed in


def test_a_person_without_a_password_sets_one_without_being_asked_for_the_current_one(client):
    invited = UserFactory(email="invitee@example.test")
    invited.set_unusable_password()
    invited.save()
    client.force_login(invited)
    new = "Un-Nouveau-Mot-De-Passe-7"

    response = client.post(ACCOUNT, {"section": "password", "new_password1": new,
                                     "new_password2": new})

    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.check_password(new)
    assert client.get(ACCOUNT).status_code == 200  # still signed in


def test_asking_for_the_newsletter_again_while_it_is_pending_sends_nothing_more(person):
    from booker.crm import services as crm

    links = (lambda token: f"https://studio.example/confirm/{token}",
             lambda token: f"https://studio.example/unsubscribe/{token}")
    first = crm.set_newsletter(person.email, True, consent_text="oui", links=links)
    again = crm.set_newsletter(person.email, True, consent_text="oui", links=links)
    without_site = crm.set_newsletter("other@example.test", True, consent_text="oui",
                                      links=None)

    assert (first, again, without_site) == (crm.NEWSLETTER_REQUESTED, "", "")
    assert len(mail.outbox) == 1
    assert crm.set_newsletter(person.email, False, consent_text="", links=None) == (
        crm.NEWSLETTER_WITHDRAWN)


def test_reminders_can_be_turned_off_and_on(client, person):
    client.post(ACCOUNT, {"section": "preferences"})
    person.refresh_from_db()
    assert person.reminder_emails is False
    client.post(ACCOUNT, {"section": "preferences", "reminder_emails": "on"})
    person.refresh_from_db()
    assert person.reminder_emails is True


def test_subscribing_to_the_newsletter_sends_the_double_opt_in_and_unsubscribing_withdraws(
        client, person):
    client.post(ACCOUNT, {"section": "marketing", "newsletter": "on"})
    consent = MarketingConsent.objects.get(email="claire@example.test")
    assert consent.status == MarketingConsent.Status.PENDING
    assert [m.to for m in mail.outbox] == [["claire@example.test"]]
    assert "/newsletter/confirm/" in mail.outbox[0].body
    client.post(ACCOUNT, {"section": "marketing"})
    consent.refresh_from_db()
    assert consent.status == MarketingConsent.Status.WITHDRAWN


def test_unsubscribe_get_only_asks(person):
    url = reverse("unsubscribe", args=[token_for(person.email, "reminder")])
    page = Client().get(url)
    assert page.status_code == 200 and "Se désinscrire" in page.content.decode()
    person.refresh_from_db()
    assert person.reminder_emails is True


def test_unsubscribe_post_turns_reminders_off_with_the_csrf_check(person):
    url = reverse("unsubscribe", args=[token_for(person.email, "reminder")])
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(url).status_code == 403  # a form post needs its token
    browser.get(url)
    token = browser.cookies["csrftoken"].value
    assert browser.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    person.refresh_from_db()
    assert person.reminder_emails is False


def test_one_click_post_from_a_mail_client_needs_no_csrf_token(person):
    url = reverse("unsubscribe", args=[token_for(person.email, "reminder")])
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.reminder_emails is False


def test_one_click_marketing_unsubscribe_withdraws_the_consent(person):
    from django.utils import timezone

    MarketingConsent.objects.create(email=person.email, consent_text="oui",
                                    status=MarketingConsent.Status.CONFIRMED,
                                    requested_at=timezone.now())
    url = reverse("unsubscribe", args=[token_for(person.email, "marketing")])
    Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert MarketingConsent.objects.get().status == MarketingConsent.Status.WITHDRAWN
    assert User.objects.get(pk=person.pk).reminder_emails is True


def test_a_forged_unsubscribe_token_changes_nothing(person):
    response = Client().post(reverse("unsubscribe", args=["forged"]),
                             "List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "pas valide" in response.content.decode()
    person.refresh_from_db()
    assert person.reminder_emails is True


def test_stop_reminder_emails_is_case_insensitive(person):
    assert people.stop_reminder_emails("CLAIRE@example.test") == 1


def test_signing_up_in_the_shop_lands_on_my_account():
    browser = Client()
    page = browser.get("/shop/accounts/register/")
    assert 'value="/portal/compte/"' in page.content.decode()
    response = browser.post("/shop/accounts/register/", {
        "email": "nouveau@example.test", "password1": "Un-Mot-De-Passe-Neuf-9",
        "password2": "Un-Mot-De-Passe-Neuf-9", "redirect_url": "/portal/compte/",
    })
    assert response.status_code == 302 and response["Location"] == ACCOUNT
    assert browser.get(ACCOUNT).status_code == 200


def test_asking_for_email_changes_is_throttled(client, settings,
                                               django_capture_on_commit_callbacks):
    from django.core import mail as outbox
    from django.core.cache import cache

    from tests.factories import UserFactory

    settings.BOOKE_RATE_LIMITS = {**settings.BOOKE_RATE_LIMITS,
                                  "email_change": {"ip": "10/h", "account": "2/h"}}
    cache.clear()
    user = UserFactory()
    client.force_login(user)
    url = reverse("portal:account")
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"section": "email", "email": f"new{n}@example.test"})
    assert len([m for m in outbox.outbox if m.to[0].startswith("new")]) == 2
