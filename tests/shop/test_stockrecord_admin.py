"""The Django admin's stock record says which price is typed, TTC or HT, as the studio's
setting says (issue 20), like the dashboard's form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.test.factories import create_product

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("incl_tax", "label", "other"), [
    (True, "Prix TTC", "Prix HT"),
    (False, "Prix HT", "Prix TTC"),
])
def test_the_admin_stock_record_names_its_price_ttc_or_ht_as_the_setting_says(
    settings, incl_tax, label, other
):
    settings.BOOKE_PRICES_INCLUDE_TAX = incl_tax
    record = create_product(price=Decimal("66.00"), num_in_stock=3).stockrecords.get()
    admin = Client()
    admin.force_login(user_with_role("superuser"))

    change = admin.get(reverse("admin:partner_stockrecord_change", args=[record.pk])).text
    listing = admin.get(reverse("admin:partner_stockrecord_changelist")).text

    assert f">{label}" in change and f">{label}" in listing
    assert other not in change and other not in listing
