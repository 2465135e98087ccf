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
    def clean(self):
        if personal.is_extras_product(self.product):
            raise forms.ValidationError(
                _("Extra photos are added to the basket from your client space.")
            )
        if deposits.is_deposit_product(self.product):
            raise forms.ValidationError(
                _("A booking's deposit is paid from the booking, in your client space.")
            )
        return super().clean()
