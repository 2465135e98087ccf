"""Oscar's basket forms with the shop's rules on lines the service made (get_class finds the
other forms in Oscar's module):

- an extras line's quantity is its photos, fixed by shop.personal.services: it cannot be
  changed in the basket, only removed (and the extras put back from the client's space);
- the extras product is never added through the public add-to-basket form, which would make
  a line that names no photo;
- a booking's deposit line (shop.deposits) is one deposit: its quantity cannot be changed
  either, and the deposit product is never added through the public form (a line naming no
  booking)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import forms as oscar_forms
from oscar.forms import widgets

from shop.catalogue import selectors as catalogue
from shop.deposits import selectors as deposits
from shop.personal import selectors as personal


class BasketLineForm(oscar_forms.BasketLineForm):
    def __init__(self, strategy, *args, **kwargs):
        super().__init__(strategy, *args, **kwargs)
        self.deposit = bool(self.instance.id and deposits.is_deposit_line(self.instance))
        self.fixed_quantity = self.deposit or bool(
            self.instance.id and personal.extras_of_line(self.instance) is not None
        )
        if self.fixed_quantity:
            self.fields["quantity"].widget = forms.HiddenInput()

    def clean_quantity(self):
        if not self.fixed_quantity:
            return super().clean_quantity()
        qty = self.cleaned_data["quantity"]
        # Nothing posted (another line's "Update") keeps the line; 0 removes it, as the
        # Remove link does; any other number is refused.
        if qty is None or qty == self.instance.quantity:
            return self.instance.quantity
        if qty == 0:
            return 0
        if self.deposit:
            raise forms.ValidationError(_("A booking's deposit is paid once."))
        raise forms.ValidationError(
            _(
                "The number of extra photos is the number in your selection: remove the "
                "line, change your selection in your client space, then add them again."
            )
        )


class AddToBasketForm(oscar_forms.AddToBasketForm):
    """For a parent product, the variant is either picked by its values (size, paper…, the
    product page's picker, chosen by shop.catalogue.selectors) or posted as Oscar's `child_id`
    (the list of variants a page without JavaScript offers)."""

    picker = None

    def _create_parent_product_fields(self, product):
        self.picker = catalogue.variant_picker(product, self.basket.strategy)
        self.fields["child_id"] = forms.ChoiceField(
            choices=[(v.product.pk, f"{v.label} — {v.price_text}") for v in self.picker.variants],
            label=_("Variant"),
            required=False,
            widget=widgets.AdvancedSelect(
                disabled_values=[v.product.pk for v in self.picker.variants if not v.available]
            ),
        )
        for dimension in self.picker.dimensions:
            self.fields[dimension.field_name] = forms.ChoiceField(
                choices=[(choice.value, choice.value) for choice in dimension.choices],
                label=dimension.name,
                required=False,
            )

    def clean_child_id(self):
        if not self.cleaned_data.get("child_id"):
            return None  # the variant is picked by its values (see clean)
        return super().clean_child_id()

    def _pick_variant(self) -> None:
        if self.picker is None or getattr(self, "child_product", None) is not None:
            return
        chosen = self.picker.choose({
            dimension.code: self.cleaned_data.get(dimension.field_name)
            for dimension in self.picker.dimensions
        })
        if chosen is None:
            raise forms.ValidationError(
                _("This combination does not exist: please choose another one.")
            )
        self.child_product = chosen.product

    def clean(self):
        if self.errors:
            return self.cleaned_data
        self._pick_variant()
        if personal.is_extras_product(self.product):
            raise forms.ValidationError(
                _("Extra photos are added to the basket from your client space.")
            )
        if deposits.is_deposit_product(self.product):
            raise forms.ValidationError(
                _("A booking's deposit is paid from the booking, in your client space.")
            )
        return super().clean()
