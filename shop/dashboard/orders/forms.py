"""Oscar's order status form on the dashboard's order page, with the parcel's tracking number:
typed when the order moves to "Expédiée", so that the shipped email carries it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.orders.forms import OrderStatusForm as OscarOrderStatusForm


class OrderStatusForm(OscarOrderStatusForm):
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=64, required=False,
        help_text=_("The parcel's number at the carrier, sent to the customer with the "
                    "“shipped” email."),
    )

    def __init__(self, order, *args, **kwargs):
        super().__init__(order, *args, **kwargs)
        self.fields["tracking_number"].initial = order.tracking_number

    def clean_tracking_number(self) -> str:
        return " ".join(self.cleaned_data.get("tracking_number", "").split())
