"""Oscar's shipping models, with one change: a banded method's bands count kilograms (Oscar's
weight-based method) or euros of the goods it sends (price bands), as the shop manager chooses
in the dashboard. Either way only the lines that travel by post count: a digital photo or a
print handed over at the studio weighs nothing and costs nothing to send."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.abstract_models import AbstractWeightBand, AbstractWeightBased
from oscar.core import prices


class WeightBased(AbstractWeightBased):
    class Basis(models.TextChoices):
        WEIGHT = "weight", _("weight of the parcel (kg)")
        PRICE = "price", _("price of the goods sent (€ incl. VAT)")

    basis = models.CharField(
        _("Rates by"), max_length=8, choices=Basis.choices, default=Basis.WEIGHT,
        help_text=_("What the bands' upper limits count: kilograms, or euros of the goods "
                    "sent by post."),
    )

    class Meta(AbstractWeightBased.Meta):
        verbose_name = _("Postal delivery rates")
        verbose_name_plural = _("Postal delivery rates")

    def calculate(self, basket) -> prices.Price:
        from .selectors import posted_lines, posted_value, posted_weight

        lines = posted_lines(basket)
        if not lines:
            charge = Decimal("0.00")
        elif self.basis == self.Basis.PRICE:
            charge = self.get_charge(posted_value(lines))
        else:
            charge = self.get_charge(
                posted_weight(lines, self.weight_attribute, self.default_weight)
            )
        # Bands are typed VAT included, what the customer pays. In France delivery takes the
        # VAT of the goods it carries (SHOP_SHIPPING_VAT_RATE): the invoice shows it inside.
        rate = Decimal(str(getattr(settings, "SHOP_SHIPPING_VAT_RATE", "0.20")))
        excl = (charge / (1 + rate)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return prices.Price(currency=basket.currency, excl_tax=excl, incl_tax=charge)

    def get_charge(self, weight) -> Decimal:
        if self.basis == self.Basis.PRICE:
            # A price has no "second parcel": above the top band, the top band's rate applies.
            top = self.top_band
            if top is None:
                return Decimal("0.00")
            band = self.get_band_for_weight(weight)
            return (band or top).charge
        return super().get_charge(weight)


class WeightBand(AbstractWeightBand):
    upper_limit = models.DecimalField(
        _("Upper Limit"), decimal_places=3, max_digits=12, db_index=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("The upper limit of this band, in kg or in € as its method counts. The "
                    "lower limit is the band below it."),
    )

    class Meta(AbstractWeightBand.Meta):
        verbose_name = _("Rate band")
        verbose_name_plural = _("Rate bands")

    def __str__(self) -> str:
        if self.method.basis == WeightBased.Basis.PRICE:
            return _("Charge for goods up to %s €") % (self.upper_limit,)
        return super().__str__()


from oscar.apps.shipping.models import *  # noqa: E402,F403 -- Oscar fork: keep every other model
