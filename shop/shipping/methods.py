"""The studio's own shipping method: the customer collects the order at the studio, free."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import Free


def pickup_address() -> list[str]:
    """The lines of the address where orders are collected (SHOP_PICKUP_ADDRESS, else the
    studio's address in BOOKE_STUDIO)."""
    text = getattr(settings, "SHOP_PICKUP_ADDRESS", "") or settings.BOOKE_STUDIO.get(
        "address", "")
    return [line.strip() for line in str(text).splitlines() if line.strip()]


class StudioPickup(Free):
    code = "retrait-studio"
    name = _("Pickup at the studio")

    @property
    def description(self) -> str:
        # Plain text: our shipping-method page escapes every description (a rate's is typed
        # in the dashboard) and keeps its line breaks.
        return "\n".join([str(_("Free: collect your order at the studio, at")),
                          *pickup_address()])
