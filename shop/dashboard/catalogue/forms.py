"""Oscar's catalogue forms (get_class finds the others in Oscar's module), with a stock
record's price that says how it is typed: VAT included or not, as the studio chose
(settings.BOOKE_PRICES_INCLUDE_TAX, read by shop.partner.strategy). Oscar's "Prix" said
nothing, and 66 typed meaning what the customer pays showed 79,20 €."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import forms as oscar_forms

from shop.partner.strategy import prices_include_tax


def price_entry_label() -> str:
    return str(_("Price incl. VAT") if prices_include_tax() else _("Price excl. VAT"))


def price_entry_help() -> str:
    if prices_include_tax():
        return str(_("What the customer pays, 20 % VAT included."))
    return str(_("Before VAT: the customer pays 20 % more."))


class StockRecordForm(oscar_forms.StockRecordForm):
    def __init__(self, product_class, user, *args, **kwargs):
        super().__init__(product_class, user, *args, **kwargs)
        if "price" in self.fields:
            self.fields["price"].label = price_entry_label()
            self.fields["price"].help_text = price_entry_help()
