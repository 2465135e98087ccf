"""The shop's part of a person's data export (issue 21, GDPR; shop.payments.personal_data,
registered in PaymentsConfig.ready since the Booker may not import the shop): orders with
their lines, addresses and invoice, saved addresses, reviews and wish lists."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import (
    ProductReviewFactory,
    ShippingAddressFactory,
    UserAddressFactory,
    WishListFactory,
    create_order,
    create_product,
)

from booker.people import personal_data
from shop.payments import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def shopper(words: str):
    """A client with an invoiced order shipped to their address, a saved address, a review
    and a wish list; `words` are theirs alone."""
    person = UserFactory()
    order = create_order(user=person, shipping_address=ShippingAddressFactory(
        first_name="Léa", last_name="Martin", line1=f"3 rue {words}"))
    services.issue_invoice(order)
    UserAddressFactory(user=person, line1=f"5 avenue {words}")
    ProductReviewFactory(user=person, title="Superbe tirage", body=f"Très beau — {words}")
    wish_list = WishListFactory(owner=person)
    wish_list.add(create_product(title=f"Tirage {words}"))
    return person, order, wish_list


def test_the_export_holds_the_orders_lines_invoice_addresses_reviews_and_wish_lists():
    person, order, _wish_list = shopper("léa-only")

    data = personal_data.export(person)

    [exported] = data["shop_orders"]
    assert exported["number"] == str(order.number)
    assert exported["total_incl_tax"] == order.total_incl_tax
    assert exported["shipping_address"]["line1"] == "3 rue léa-only"
    assert exported["lines"][0]["quantity"] == 1
    assert exported["invoice"]["number"] == order.invoice.number
    assert exported["invoice"]["amount_incl_tax"] == order.total_incl_tax
    assert data["shop_addresses"][0]["line1"] == "5 avenue léa-only"
    assert "léa-only" in data["shop_reviews"][0]["body"]
    assert data["shop_wish_lists"][0]["lines"][0]["title"] == "Tirage léa-only"


def test_the_shop_part_holds_nothing_of_another_client_and_no_wish_list_key():
    person, _order, wish_list = shopper("léa-only")
    _someone, their_order, their_list = shopper("noé-only")

    text = personal_data.export_json(person)

    assert "noé-only" not in text
    assert their_order.invoice.number not in text
    assert str(their_order.number) not in {o["number"] for o in json.loads(text)["shop_orders"]}
    # The key is the address that shares a wish list.
    assert wish_list.key not in text and their_list.key not in text


def test_the_shop_part_reads_in_as_many_queries_for_three_orders_as_for_one(
        django_assert_max_num_queries):
    person, _order, _wish_list = shopper("léa-only")
    with CaptureQueriesContext(connection) as one:
        personal_data.export(person)
    for _ in range(2):
        order = create_order(user=person)
        services.issue_invoice(order)

    with django_assert_max_num_queries(len(one)):
        data = personal_data.export(person)
    assert len(data["shop_orders"]) == 3
