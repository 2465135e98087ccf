"""Every place a price shows agrees (issue 20): the catalogue card, the product page, its
JSON-LD and OpenGraph, the basket, the Stripe payment, the order, its confirmation email and
its invoice: for a product typed TTC and one typed HT, both sold 79,20 €. A parent product says
"à partir de" its cheapest variant on its card and page, and its JSON-LD spans the variants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from shop import demo
from shop.payments import invoice_pdf, services
from shop.payments.models import PaymentMethod
from tests import stripe_fake
from tests.shop import checkout_flow as flow
from tests.shop.test_invoice_payment import pdf_text
from tests.shop.test_product_meta import Head

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

SHOWN = "79,20\xa0€"
TYPED = {"TTC": (True, Decimal("79.20")), "HT": (False, Decimal("66.00"))}


@pytest.fixture(params=sorted(TYPED))
def album(request, settings, search_index, db):
    """An album sold 79,20 €, its price typed TTC (79.20) or HT (66.00) as the studio chose."""
    settings.BOOKE_PRICES_INCLUDE_TAX, typed = TYPED[request.param]
    flow.a_print()  # the shipping country
    product = create_product(
        upc=f"ALBUM-{request.param}", title="Album de famille", price=typed, num_in_stock=10,
        partner_name="Atelier",
    )
    demo._index([product.upc])
    return product


@pytest.fixture
def stripe_server(settings):
    with stripe_fake.FakeStripe() as server:
        flow.use_fake_stripe(settings, server)
        yield server


def test_the_card_the_page_and_its_metadata_show_the_same_price(client, album):
    card = client.get(reverse("catalogue:index")).content.decode()
    page = client.get(album.get_absolute_url()).content.decode()
    head = Head(page)

    assert f'<p class="price_color">{SHOWN}</p>' in card
    assert f'<p class="price_color">{SHOWN}</p>' in page
    assert head.json_ld[0]["offers"]["price"] == "79.20"
    assert head.meta["product:price:amount"] == "79.20"


def test_the_basket_stripe_the_order_its_email_and_its_invoice_say_the_same_total(
    client, album, stripe_server, django_capture_on_commit_callbacks
):
    flow.fill_basket(client, album)
    basket_page = client.get(reverse("basket:summary")).content.decode()
    assert basket_page.count(SHOWN) >= 2  # the line and the total

    flow.to_payment_method(client, guest_email="visiteur@example.test")
    flow.choose(client, PaymentMethod.CARD)
    placed = flow.place(client)
    session_id = placed["Location"].rsplit("/", 1)[1]
    [(_, _, params, _)] = stripe_server.calls("POST", "/v1/checkout/sessions")
    paid = stripe_server.pay(session_id)
    payload, signature = stripe_server.event("checkout.session.completed", paid)
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(
            "/shop/checkout/stripe/webhook/", payload, content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
    assert answer.status_code == 200

    order = Order.objects.get()
    # The shipping is free: what Stripe charged is the order's total, to the cent.
    assert params["line_items[0][price_data][unit_amount]"] == "7920"
    assert order.total_incl_tax == Decimal("79.20") == order.sources.get().amount_debited
    assert (order.total_excl_tax, order.total_tax) == (Decimal("66.00"), Decimal("13.20"))
    [confirmation] = mail.outbox
    assert "79,20 €" in confirmation.body.replace("\xa0", " ")
    invoice = services.issue_invoice(order)
    text = pdf_text(invoice_pdf.render(invoice))
    assert "79,20" in text and "66,00" in text and "13,20" in text


@pytest.fixture
def prints(catalogue):
    return Product.objects.get(upc=demo.PRINT_PARENT_UPC)


def test_a_parent_says_from_its_cheapest_variant_on_its_card_its_page_and_its_json_ld(
    client, prints
):
    card = client.get(reverse("catalogue:index")).content.decode()
    page = client.get(prints.get_absolute_url()).content.decode()
    [data] = Head(page).json_ld

    assert '<p class="price_color">à partir de 24,00\xa0€</p>' in card
    assert '<p class="price_color">à partir de 24,00\xa0€</p>' in page
    assert data["offers"]["lowPrice"] == "24.00"  # the 20×30 Lustré
    assert data["offers"]["highPrice"] == "246.00"  # the 40×60 in a caisse américaine
    assert "246,00\xa0€" in page  # that one, in the picker


def test_a_variant_page_describes_the_print_in_its_meta(client, prints):
    variant = Product.objects.get(upc=demo.print_upc("30x45", "baryta"))

    meta = Head(client.get(variant.get_absolute_url()).content.decode()).meta

    assert meta["og:description"].startswith("Vos photos tirées à l'atelier")
    assert meta["twitter:description"] == meta["og:description"]
    assert meta["product:price:amount"] == "66.00"
