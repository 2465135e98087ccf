"""The dashboard's order export (Oscar's `download_selected_orders`): what buyers typed goes
out as text, never as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import (
    BillingAddressFactory,
    ShippingAddressFactory,
    create_order,
)

from booker import roles
from tests.factories import UserFactory, user_with_role
from tests.hostile import HOSTILE

pytestmark = pytest.mark.django_db


def test_the_order_csv_neutralises_hostile_shipping_and_billing_names(client):
    order = create_order(
        shipping_address=ShippingAddressFactory(first_name=HOSTILE[0], last_name=""),
        billing_address=BillingAddressFactory(first_name=HOSTILE[3], last_name=""),
    )
    client.force_login(user_with_role(roles.SHOP_MANAGER))

    response = client.post(reverse("dashboard:order-list"), {
        "action": "download_selected_orders", "selected_order": [order.pk],
    })

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    row = rows[1]
    assert row[0] == str(order.number)
    # Oscar's columns, in its order: ..., deliver to name, bill to name.
    assert row[6] == "'" + HOSTILE[0]
    assert row[7] == "'" + HOSTILE[3]


def test_the_order_csv_of_the_search_form_is_neutralised_too(client):
    create_order(shipping_address=ShippingAddressFactory(first_name=HOSTILE[0], last_name=""))
    client.force_login(user_with_role(roles.SHOP_MANAGER))

    response = client.get(reverse("dashboard:order-list"), {"response_format": "csv"})

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'" + HOSTILE[0].replace('"', '""') in text


def test_the_dashboards_reports_neutralise_what_customers_typed(client):
    """Oscar's reports (/dashboard/reports/, "Download") write customers' names too: the
    order report here; every report goes through the same ReportCSVFormatter."""
    buyer = UserFactory(first_name=HOSTILE[0], last_name="")
    order = create_order(user=buyer)
    client.force_login(user_with_role("superuser"))  # Oscar's reports need analytics rights
    day = timezone.localdate(order.date_placed).isoformat()

    response = client.get(reverse("dashboard:reports-index"), {
        "report_type": "order_report", "date_from": day, "date_to": day, "download": "true",
    })

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    (row,) = rows[1:]
    assert row[0] == str(order.number)
    assert row[1] == "'" + HOSTILE[0]
