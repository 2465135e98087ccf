"""Shipping at checkout, clicked (issue 20): with a postal rate set, a visitor is offered pickup
at the studio (free, at its address) beside the rate, chooses pickup and pays nothing more."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import Page, expect

from tests.browser.test_shop_checkout import add_print_to_basket, fill_shipping_address

Order = get_model("order", "Order")
WeightBased = get_model("shipping", "WeightBased")
WeightBand = get_model("shipping", "WeightBand")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_chooses_pickup_at_the_studio_and_pays_no_postage(page: Page, demo, settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.SHOP_PICKUP_ADDRESS = "8 rue des Photographes\n69002 Lyon"
    rate = WeightBased.objects.create(name="Colissimo", basis="price")
    WeightBand.objects.create(method=rate, upper_limit=Decimal("1000"), charge=Decimal("6.90"))

    add_print_to_basket(page)
    page.locator("#id_username").fill("visiteur@example.test")
    page.locator("#id_options_0").check()
    page.locator("form:has(#id_username) button[type=submit]").click()
    fill_shipping_address(page)

    expect(page).to_have_url(re.compile(r"/shop/checkout/shipping-method/$"))
    pickup = page.locator("#shipping-method-retrait-studio")
    expect(pickup).to_contain_text("8 rue des Photographes")
    expect(pickup).to_contain_text("Gratuit")
    expect(page.locator(f"#shipping-method-{rate.code}")).to_contain_text("6,90")
    page.get_by_role("button", name="Choisir : Retrait au studio").click()

    page.get_by_label("Au studio ou par virement").check()
    page.locator("#payment-method-continue").click()
    page.locator("#place-order").click()
    expect(page).to_have_url(re.compile(r"/shop/checkout/thank-you/$"))
    order = Order.objects.get()
    assert order.shipping_method == "Retrait au studio" and order.shipping_incl_tax == 0
    assert order.total_incl_tax == order.basket_total_incl_tax
