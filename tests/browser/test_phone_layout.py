"""The site on a small phone (375 px wide, an iPhone SE or mini): the whole menu within reach,
Boutique included, and a client whose greeting is a long email address still gets a page as
wide as the screen, nothing to scroll sideways (issue 20)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_csp_violation, watch_csp

WIDTH = 375
LONG_EMAIL = "camille.dupont-de-la-riviere.photographies@studio-exemple.test"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_small_phone_the_menu_reaches_the_shop_and_a_long_email_stays_on_screen(
    browser, serial_live_server, demo, tmp_path
):
    from tests.factories import PASSWORD, UserFactory

    assert len(LONG_EMAIL) >= 60
    UserFactory(email=LONG_EMAIL, first_name="")  # greeted by the email itself
    shots = Path(os.environ.get("BOOKE_SHOTS") or tmp_path)
    context = browser.new_context(
        base_url=serial_live_server.url,
        viewport={"width": WIDTH, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    phone = context.new_page()

    phone.goto("/")
    shop = phone.locator(".main-nav").get_by_role("link", name="Boutique")
    expect(shop).to_be_visible()
    box = shop.bounding_box()
    # Inside the screen, not hidden past its right edge in a row that scrolls without a cue.
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    phone.screenshot(path=str(shots / "phone-375-home.png"), full_page=True)

    phone.goto("/accounts/login/?next=/portal/")
    phone.locator("#id_username").fill(LONG_EMAIL)
    phone.locator("#id_password").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("main h1").first).to_contain_text(LONG_EMAIL)
    phone.screenshot(path=str(shots / "phone-375-portal.png"), full_page=True)

    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    shop = phone.locator(".main-nav").get_by_role("link", name="Boutique")
    box = shop.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    context.close()
    assert_no_csp_violation(violations)
