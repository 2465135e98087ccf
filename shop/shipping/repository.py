"""The shipping methods a basket is offered: pickup at the studio (free, always) and each
postal rate the shop manager set in the dashboard (bands of weight or of price) that serves
the shipping address's country. A basket with nothing to post (digital photos, the client's
own prints handed over at the studio) gets Oscar's "no shipping required"."""

from __future__ import annotations

from oscar.apps.shipping import repository
from oscar.core.loading import get_model

from .methods import StudioPickup

WeightBased = get_model("shipping", "WeightBased")


class Repository(repository.Repository):
    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        methods = [StudioPickup()]
        country = getattr(shipping_addr, "country_id", None) if shipping_addr else None
        for rate in WeightBased.objects.prefetch_related("countries").order_by("name"):
            served = {c.pk for c in rate.countries.all()}
            # A rate without countries serves every shipping country.
            if not served or country is None or country in served:
                methods.append(rate)
        return methods
