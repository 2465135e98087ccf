"""A customer's order-line address answered 500 (Oscar ships no template for it)."""

import pytest
from oscar.test.factories import create_order

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def line_url(order, line_id) -> str:
    return f"/shop/accounts/orders/{order.number}/{line_id}/"


def test_the_owner_opening_an_order_line_is_led_to_the_order_not_a_500(client):
    owner = UserFactory()
    order = create_order(user=owner)
    client.force_login(owner)

    response = client.get(line_url(order, order.lines.get().pk))

    assert response.status_code == 302
    assert response["Location"] == f"/shop/accounts/orders/{order.number}/"


def test_another_person_or_a_foreign_line_gets_a_404(client):
    owner = UserFactory()
    order, other_order = create_order(user=owner), create_order(user=UserFactory())
    client.force_login(owner)

    assert client.get(line_url(order, other_order.lines.get().pk)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(line_url(order, order.lines.get().pk)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    order = create_order(user=UserFactory())
    response = client.get(line_url(order, order.lines.get().pk))
    assert response.status_code == 302
    assert "login" in response["Location"]
