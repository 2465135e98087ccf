"""Going through Oscar's checkout with Django's test client, as a browser would, up to the
preview and the "place order" button."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from shop.demo import typed_price
from tests import stripe_fake

Country = get_model("address", "Country")
Order = get_model("order", "Order")

ADDRESS = {
    "first_name": "Léa",
    "last_name": "Martin",
    "line1": "3 quai Saint-Antoine",
    "line4": "Lyon",
    "postcode": "69002",
    "country": "FR",
}
# 20.00 excluding VAT: 24.00 for the customer, 2400 cents at Stripe.
# What the customer pays (20.00 excl. VAT), typed as the studio types its prices.
PRICE_INCL_TAX = Decimal("24.00")
TOTAL_CENTS = 2400


def a_print():
    Country.objects.get_or_create(
        iso_3166_1_a2="FR",
        defaults={"iso_3166_1_a3": "FRA", "iso_3166_1_numeric": "250",
                  "printable_name": "France", "name": "France", "is_shipping_country": True},
    )
    return create_product(
        title="Tirage 20×30 cm", price=typed_price(PRICE_INCL_TAX), num_in_stock=100,
        partner_name="Atelier",
    )


def fill_basket(client, product, quantity: int = 1) -> None:
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302


def to_payment_method(client, *, guest_email: str | None = None) -> None:
    if guest_email:
        gateway = client.post(
            reverse("checkout:index"), {"username": guest_email, "options": "anonymous"}
        )
        assert gateway.status_code == 302, gateway.content
    shipped = client.post(reverse("checkout:shipping-address"), ADDRESS)
    assert shipped.status_code == 302, shipped.content
    # One shipping method: Oscar chooses it and goes on.
    client.get(reverse("checkout:shipping-method"))


def choose(client, method: str, **extra):
    return client.post(reverse("checkout:payment-method"), {"method": method, **extra})


def place(client):
    return client.post(reverse("checkout:preview"), {"action": "place_order"})


def use_fake_stripe(settings, server: stripe_fake.FakeStripe) -> None:
    settings.STRIPE_SECRET_KEY = stripe_fake.SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = stripe_fake.WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
