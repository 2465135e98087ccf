"""The shop on a 360 px phone, in the site's design (issue 20): catalogue, product, basket and
the checkout's steps fit the screen (nothing to scroll sideways), load none of Oscar's
Bootstrap stylesheet, show one search box (the site header's), and the price reads with WCAG AA
contrast as the browser draws it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import Page, expect

from shop import demo as shop_demo
from tests.browser.conftest import assert_no_csp_violation, watch_csp
from tests.shop.test_shop_look import contrast

Product = get_model("catalogue", "Product")

WIDTH = 360

# The colour the browser computed ("rgb(r, g, b)") as #rrggbb.
TO_HEX = """el => '#' + getComputedStyle(el).color.match(/\\d+/g).slice(0, 3)
    .map(n => Number(n).toString(16).padStart(2, '0')).join('')"""


def assert_fits_in_the_site_design(phone: Page, shots: Path, name: str) -> None:
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.evaluate(
        "window.innerWidth"), f"{name} is wider than the screen"
    sheets = phone.evaluate("[...document.styleSheets].map(s => s.href || '')")
    assert not [s for s in sheets if "oscar/css/" in s], sheets
    assert any("css/shop.css" in s for s in sheets)
    expect(phone.locator("[role=search]")).to_have_count(1)
    phone.screenshot(path=str(shots / f"shop-{WIDTH}-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_360px_phone_the_shop_and_checkout_fit_the_screen_in_the_site_design(
    browser, serial_live_server, demo, tmp_path
):
    shots = Path(os.environ.get("BOOKE_SHOTS") or tmp_path)
    context = browser.new_context(base_url=serial_live_server.url,
                                  viewport={"width": WIDTH, "height": 740},
                                  is_mobile=True, has_touch=True, locale="fr-FR")
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    phone = context.new_page()

    phone.goto("/shop/catalogue/")
    expect(phone.locator(".product_pod").first).to_be_visible()
    assert_fits_in_the_site_design(phone, shots, "catalogue")

    phone.goto(Product.objects.get(upc=shop_demo.print_upc("20x30", "lustre")).get_absolute_url())
    price = phone.locator(".product_main .price_color")
    expect(price).to_contain_text("24,00")
    assert contrast(price.evaluate(TO_HEX), "#ffffff") >= 4.5
    assert contrast(price.evaluate(TO_HEX), "#faf8f5") >= 4.5
    assert_fits_in_the_site_design(phone, shots, "product")
    phone.locator("#add_to_basket_form button[type=submit]").click()
    expect(phone.locator(".alert-success").first).to_be_visible()

    phone.goto("/shop/basket/")
    expect(phone.locator(".basket-items")).to_have_count(1)
    assert_fits_in_the_site_design(phone, shots, "basket")

    phone.goto("/shop/checkout/")
    phone.locator("#id_username").fill("visiteur@example.test")
    phone.locator("#id_options_0").check()
    assert_fits_in_the_site_design(phone, shots, "checkout-gateway")
    phone.locator("form:has(#id_username) button[type=submit]").click()
    expect(phone.locator(".nav-checkout")).to_be_visible()
    assert_fits_in_the_site_design(phone, shots, "checkout-address")

    context.close()
    assert_no_csp_violation(violations)
