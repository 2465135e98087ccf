"""The foundation's paths, clicked as a person would: read the site, buy a print, log in
once and reach the CMS."""

import re

import pytest
from playwright.sync_api import expect

from booker.demo import DEMO_PASSWORD
from tests.otp import type_the_code


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_reads_a_post_adds_a_print_to_the_basket_and_an_editor_reaches_the_cms(
    page, demo
):
    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    page.locator(".main-nav").get_by_role("link", name="Journal").click()
    expect(page).to_have_url(re.compile(r"/journal/$"))
    page.get_by_role("link", name=re.compile("coulisses de la retouche")).first.click()
    expect(page.locator("h1")).to_have_text(re.compile("coulisses de la retouche"))

    page.locator(".main-nav").get_by_role("link", name="Boutique").click()
    expect(page).to_have_url(re.compile(r"/shop/catalogue/$"))
    page.get_by_role("link", name="Tirage d'art").first.click()
    # The print is picked by its size and paper on its page (issue 20).
    page.get_by_label("Format").select_option("20×30 cm")
    page.get_by_label("Papier").select_option("Lustré")
    with page.expect_navigation():
        page.locator("[data-variant-picker] button[type=submit]").click()
    page.goto("/shop/basket/")
    expect(page.locator("#content_inner")).to_contain_text("20×30 cm — Lustré")
    expect(page.locator("#content_inner")).to_contain_text("24,00")

    # The same browser logs in once, as an editor, and the CMS opens.
    page.locator(".account-nav").get_by_role("link", name="Se connecter").click()
    log_in(page, "editeur@booke.test")
    # An editor reaches the CMS: the code of their app comes before anything else.
    type_the_code(page, "editeur@booke.test")
    # Back where they were, and the basket survived the login.
    expect(page).to_have_url(re.compile(r"/shop/basket/$"))
    expect(page.locator("#content_inner")).to_contain_text("20×30 cm — Lustré")
    page.goto("/cms/")
    expect(page).to_have_url(re.compile(r"/cms/$"))
    expect(page.locator("body")).to_contain_text("Claire")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_who_tries_the_cms_is_sent_to_the_one_login_and_cannot_get_in(page, demo):
    page.goto("/cms/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cms/"))
    log_in(page, "client@booke.test")
    # Logged in, but the CMS is not for clients: back on the login page with a clear word.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main")).to_contain_text("ne peut pas ouvrir cette page")
    page.goto("/portal/")
    expect(page.locator("h1")).to_contain_text("Léa")
