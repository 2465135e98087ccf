"""Checkout clicked as people do (issue 6): a visitor pays a print by card on (a local fake of)
Stripe's hosted page and comes back to their confirmation; a company member orders on invoice
with a purchase-order number and downloads the invoice PDF from their order page."""

from __future__ import annotations

import re

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import Page, expect

from booker.demo import DEMO_PASSWORD
from shop import demo as shop_demo
from tests import stripe_fake

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

PRINT_UPC = shop_demo.print_upc("20x30", "lustre")


@pytest.fixture
def stripe_server(settings):
    with stripe_fake.FakeStripe() as server:
        settings.STRIPE_SECRET_KEY = stripe_fake.SECRET_KEY
        settings.STRIPE_WEBHOOK_SECRET = stripe_fake.WEBHOOK_SECRET
        settings.STRIPE_API_BASE = server.url
        # Its payment page is where the checkout form's redirect goes (CSP form-action).
        settings.STRIPE_CHECKOUT_ORIGIN = server.url
        yield server


def add_print_to_basket(page: Page) -> None:
    page.goto(Product.objects.get(upc=PRINT_UPC).get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    expect(page.locator(".alert-success, .alertinner").first).to_be_visible()
    page.goto("/shop/checkout/")


def fill_shipping_address(page: Page) -> None:
    page.locator("#id_first_name").fill("Léa")
    page.locator("#id_last_name").fill("Martin")
    page.locator("#id_line1").fill("3 quai Saint-Antoine")
    page.locator("#id_line4").fill("Lyon")
    page.locator("#id_postcode").fill("69002")
    page.locator("#new_shipping_address button[type=submit]").click()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_pays_a_print_by_card_on_stripe_and_gets_one_order(page, demo, stripe_server):
    add_print_to_basket(page)
    # Oscar's gateway: checking out as a guest, with an email.
    page.locator("#id_username").fill("visiteur@example.test")
    page.locator("#id_options_0").check()
    page.locator("form:has(#id_username) button[type=submit]").click()
    fill_shipping_address(page)

    page.locator("input[name=method][value=card]").check()
    page.locator("#payment-method-continue").click()
    expect(page.locator("#preview-payment")).to_contain_text("Carte bancaire")
    page.locator("#place-order").click()

    # Stripe's hosted page (the local fake), then back to the shop.
    expect(page).to_have_url(re.compile(r"/pay/cs_test_"))
    expect(page.locator("h1")).to_contain_text("24,00 €")
    page.get_by_role("button", name="Payer").click()

    expect(page).to_have_url(re.compile(r"/shop/checkout/thank-you/$"))
    order = Order.objects.get()
    expect(page.locator("body")).to_contain_text(order.number)
    assert order.status == "Payée"
    assert order.guest_email == "visiteur@example.test"
    assert order.payment_events.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_company_member_orders_on_invoice_and_downloads_the_invoice(page, demo, settings):
    settings.STRIPE_SECRET_KEY = ""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("equipe@acme.test")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    add_print_to_basket(page)
    fill_shipping_address(page)

    page.locator("input[name=method][value=invoice]").check()
    page.locator("#id_po_number").fill("PO-ACME-0042")
    page.locator("#payment-method-continue").click()
    expect(page.locator("#preview-payment")).to_contain_text("PO-ACME-0042")
    page.locator("#place-order").click()

    expect(page).to_have_url(re.compile(r"/shop/checkout/thank-you/$"))
    order = Order.objects.get()
    assert order.status == "En attente de paiement"
    page.goto(f"/shop/accounts/orders/{order.number}/")
    with page.expect_download() as download:
        page.locator("#invoice-download").click()
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    assert f"Facture {order.invoice.number}".encode() in pdf
    assert order.invoice.po_number == "PO-ACME-0042"
    assert order.invoice.company.name == "Acme Industries"
