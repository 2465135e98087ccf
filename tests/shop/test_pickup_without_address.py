"""Pickup at the studio asks no postal address (issue 20): chosen on the address page, before
any address, it goes straight on to the payment and the order has no shipping address; postal
delivery still asks for one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.payments.models import PaymentMethod
from tests.shop import checkout_flow as flow

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
WeightBased = get_model("shipping", "WeightBased")
WeightBand = get_model("shipping", "WeightBand")
GUEST = "passant@example.test"


@pytest.fixture
def shop_with_postal_rate():
    product = flow.a_print()
    rate = WeightBased.objects.create(name="Colissimo", basis="price")
    WeightBand.objects.create(method=rate, upper_limit=Decimal("1000"), charge=Decimal("6.90"))
    return product


def _to_address_page(client: Client, product) -> str:
    flow.fill_basket(client, product)
    client.post(reverse("checkout:index"), {"username": GUEST, "options": "anonymous"})
    page = client.get(reverse("checkout:shipping-address"))
    assert page.status_code == 200
    return page.text


def test_pickup_is_chosen_before_any_address_and_the_order_has_none(shop_with_postal_rate):
    client = Client()
    page = _to_address_page(client, shop_with_postal_rate)
    assert reverse("checkout:pickup") in page and "Retrait au studio" in page

    chosen = client.post(reverse("checkout:pickup"))
    assert chosen.status_code == 302 and chosen["Location"] == reverse("checkout:payment-method")
    assert flow.choose(client, PaymentMethod.STUDIO).status_code == 302
    assert client.get(reverse("checkout:preview")).status_code == 200
    assert flow.place(client)["Location"] == reverse("checkout:thank-you")

    order = Order.objects.get()
    assert order.shipping_address is None
    assert order.shipping_code == "retrait-studio" and order.shipping_incl_tax == 0
    assert order.total_incl_tax == order.basket_total_incl_tax


def test_postal_delivery_still_needs_an_address(shop_with_postal_rate):
    client = Client()
    _to_address_page(client, shop_with_postal_rate)

    # Straight to the payment without an address nor a method: sent back to give them.
    refused = client.get(reverse("checkout:payment-method"))

    assert refused.status_code == 302
    assert refused["Location"] == reverse("checkout:shipping-address")


def test_an_address_typed_before_choosing_pickup_is_not_kept(shop_with_postal_rate):
    client = Client()
    _to_address_page(client, shop_with_postal_rate)
    assert client.post(reverse("checkout:shipping-address"), flow.ADDRESS).status_code == 302

    client.post(reverse("checkout:pickup"))
    assert flow.choose(client, PaymentMethod.STUDIO).status_code == 302
    flow.place(client)

    assert Order.objects.get().shipping_address is None
