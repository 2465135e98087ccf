"""The second factor on a phone, as a new staff member meets it: password, then the app is set
up from the key the page shows, the recovery codes are read once, and the back office opens."""

import os
import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from booker import roles
from tests.factories import PASSWORD, user_with_role

SHOTS = os.environ.get("BOOKE_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_photographer_sets_up_the_app_on_a_phone_and_reaches_the_admin(phone):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    phone.goto("/admin/")
    phone.locator("#id_username").fill(photographer.email)
    phone.locator("#id_password").fill(PASSWORD)
    phone.locator("main form button[type=submit]").click()

    expect(phone).to_have_url(re.compile(r"/accounts/2fa/enrol/\?next=/admin/"))
    expect(phone.locator("h1")).to_have_text("Activer la double authentification")
    expect(phone.locator("svg.otp-qr")).to_be_visible()
    box = phone.locator("svg.otp-qr").bounding_box()
    assert box["width"] <= 390 and box["width"] >= 150, "the QR code fits the phone"
    shot(phone, "enrol")

    # The app is set up by typing the key shown in groups of 4, as someone who cannot scan.
    groups = phone.locator(".otp-secret span").all_inner_texts()
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    phone.locator("#id_code").fill(f"{totp(b32decode(''.join(groups))):06d}")
    phone.get_by_role("button", name="Activer").click()

    expect(phone.locator("h1")).to_have_text("Vos codes de secours")
    expect(phone.locator(".otp-codes li")).to_have_count(10)
    shot(phone, "codes")
    phone.get_by_role("link", name="Je les ai notés, continuer").click()
    expect(phone).to_have_url(re.compile(r"/admin/$"))
