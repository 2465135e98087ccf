"""The dashboard's postal rates read French that fits both kinds of rate (issue 20): a rate's
bands count kilograms or euros (shop/shipping/models.py), never "intervalles de poids"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

WeightBased = get_model("shipping", "WeightBased")
WeightBand = get_model("shipping", "WeightBand")


def test_the_dashboards_postal_rate_pages_speak_of_bands_not_weight_intervals():
    rate = WeightBased.objects.create(name="Lettre suivie", basis="price")
    WeightBand.objects.create(method=rate, upper_limit=Decimal("40"), charge=Decimal("3.50"))
    manager = Client()
    manager.force_login(user_with_role("superuser"))

    listing = manager.get(reverse("dashboard:shipping-method-list")).text
    detail = manager.get(reverse("dashboard:shipping-method-detail", kwargs={"pk": rate.pk})).text

    assert "Nombre de tranches" in listing
    for heading in ("Tranches de tarif", "Tranche (en kg ou en € selon le tarif)",
                    "Ajouter une tranche"):
        assert heading in detail
    for page in (listing, detail):
        assert "intervalle" not in page.lower()
        assert "weight" not in page.lower().replace("weight_", "").replace("weight-", "")
