"""Issue 20 on a phone (375 px): a visitor orders a print to pay by transfer; the thank-you page
says what is owed, the IBAN and the reference to write, and the guest's order page (reached
from the confirmation's link) says the same, in French, without overflowing the screen."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import Page, expect

from tests.browser.test_shop_checkout import add_print_to_basket, fill_shipping_address

Order = get_model("order", "Order")

PHONE_WIDTH = 375
GUEST = "visiteur@example.test"


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("BOOKE_SHOTS")
    if keep:  # a person looks at them
        shutil.copy(path, Path(keep) / path.name)


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_guest_pays_by_transfer_on_a_phone_and_is_told_the_iban_and_reference(
    phone, demo, settings, tmp_path
):
    settings.STRIPE_SECRET_KEY = ""  # at the studio / by transfer is what is offered
    phone.set_viewport_size({"width": PHONE_WIDTH, "height": 812})
    add_print_to_basket(phone)
    phone.locator("#id_username").fill(GUEST)
    phone.locator("#id_options_0").check()
    phone.locator("form:has(#id_username) button[type=submit]").click()
    fill_shipping_address(phone)

    expect(phone.locator(".method-help")).to_have_count(1)
    phone.locator("input[name=method][value=studio]").check()
    phone.locator("#payment-method-continue").click()
    phone.locator("#place-order").click()

    expect(phone).to_have_url(re.compile(r"/shop/checkout/thank-you/$"))
    order = Order.objects.get()
    owed = phone.locator("#amount-owed")
    expect(owed).to_contain_text(settings.BOOKE_STUDIO["iban"])
    expect(owed).to_contain_text(settings.BOOKE_STUDIO["bic"])
    expect(owed.locator(".owed-reference")).to_have_text(order.number)
    amount = f"{order.total_incl_tax:.2f}".replace(".", ",")
    expect(owed.locator(".owed-amount")).to_contain_text(amount)
    expect(phone.locator("body")).not_to_contain_text("Aucun paiement")
    _fits(phone)
    _shot(phone, tmp_path, "transfer-thank-you-phone")

    phone.goto(f"/shop/accounts/order-status/{order.number}/{order.verification_hash()}/")
    phone.locator(".anon-order-form input[name=email]").fill(GUEST)
    phone.locator("#anon-order-submit").click()
    expect(phone.locator("h1")).to_contain_text(f"Commande n° {order.number}")
    expect(phone.locator("#amount-owed .owed-reference")).to_have_text(order.number)
    expect(phone.locator(".order-lines")).to_contain_text("Tirage")
    _fits(phone)
    _shot(phone, tmp_path, "guest-order-status-phone")
