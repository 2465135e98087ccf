"""Oscar's dashboard form of a banded shipping method, with what its bands count (weight or
price: shop/shipping/models.py). Found by `get_class("dashboard.shipping.forms", …)` because
`dashboard` is our fork; the views stay Oscar's."""

from django import forms
from oscar.apps.dashboard.shipping.forms import WeightBandForm  # noqa: F401 -- Oscar's, kept
from oscar.core.loading import get_model


class WeightBasedForm(forms.ModelForm):
    class Meta:
        model = get_model("shipping", "WeightBased")
        fields = ["name", "description", "basis", "default_weight", "countries"]
