"""The order confirmation page reads as a customer's page: no stock code, no button that does
nothing (issue 20)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shop.payments.models import PaymentMethod
from tests.shop import checkout_flow as flow

pytestmark = pytest.mark.django_db


def test_the_thank_you_page_shows_no_upc_and_no_dead_print_button():
    product = flow.a_print()
    product.upc = "BK-TIRAGE-2030"
    product.save()
    client = Client()
    flow.fill_basket(client, product)
    flow.to_payment_method(client, guest_email="passant@example.test")
    assert flow.choose(client, PaymentMethod.STUDIO).status_code == 302
    assert flow.place(client)["Location"] == reverse("checkout:thank-you")

    page = client.get(reverse("checkout:thank-you")).content.decode()

    assert "Tirage 20×30 cm" in page  # the line is there, by its name
    assert "BK-TIRAGE-2030" not in page
    # Oscar's button ran window.print() from an onclick attribute: none is allowed any more.
    assert "window.print" not in page and "onclick" not in page
    assert "Imprimer cette page" not in page
    assert "Continuer vos achats" in page
