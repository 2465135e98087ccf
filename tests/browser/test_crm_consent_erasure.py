"""The photographer's CRM clicks (issue 21): a model release signed on paper at the shoot is
recorded on the client's contact page and shows on it; then the client's erasure is confirmed
from the user list and the worker finishes it (the test settings run django-q2's jobs at
once), the record saying "terminé"."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from booker import roles
from booker.crm import selectors as crm_selectors
from booker.crm import services as crm
from booker.models import PersonalDataErasure, User
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def logged_in_as(page, user) -> None:
    client = Client()
    client.force_login(user)
    page.goto("/")
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": page.url,
    }])


def test_a_paper_model_release_is_recorded_then_the_client_is_erased_by_the_worker(page):
    lea = UserFactory(email="lea@example.test", first_name="Léa", last_name="Bernard")
    contact = crm.attach_account(lea)
    logged_in_as(page, user_with_role(roles.PHOTOGRAPHER))

    page.goto(reverse("admin:booker_contact_change", args=[contact.pk]))
    page.get_by_role("link", name="Enregistrer un consentement").click()
    page.get_by_role("link", name="Photos montrées sur le site et dans le portfolio — donne "
                                   "son consentement").click()
    expect(page.locator("select[name=purpose]")).to_have_value("photo_use")
    expect(page.locator("textarea")).to_contain_text("photos")
    page.locator("select[name=source]").select_option(label="Formulaire papier signé")
    page.locator("input[name=given_on]").fill("2026-12-05")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messagelist")).to_contain_text("Consentement enregistré")
    expect(page.locator(".crm-consents")).to_contain_text("Formulaire papier signé")
    assert crm_selectors.photo_use_granted(lea.email)
    if os.environ.get("BOOKE_SHOTS"):
        page.screenshot(path=os.environ["BOOKE_SHOTS"] + "/consent-recorded.png",
                        full_page=True)

    page.goto(reverse("admin:booker_user_changelist") + "?q=lea%40example.test")
    page.locator("#result_list tbody input.action-select").first.check()
    page.locator("select[name=action]").select_option(
        label="Effacer les données personnelles (RGPD)…")
    page.get_by_role("button", name="Envoyer").click()
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Oui, tout effacer").click()
    expect(page.locator(".messagelist")).to_contain_text("Effacement lancé")
    page.get_by_role("link", name="Voir la fiche de l'effacement").click()
    expect(page.locator("#content")).to_contain_text("terminé")
    record = PersonalDataErasure.objects.get(person=lea)
    assert record.status == PersonalDataErasure.Status.DONE
    lea = User.objects.get(pk=lea.pk)
    assert not lea.is_active and lea.email != "lea@example.test"
    assert not crm_selectors.photo_use_granted("lea@example.test")
