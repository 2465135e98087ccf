"""Checkout forms added to Oscar's (get_class finds the others in Oscar's module)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from booker.models import Company
from shop.payments.models import PaymentMethod


class PaymentMethodForm(forms.Form):
    """The methods this customer may use; on invoice, a purchase-order number (required when
    ordering for a company) and, for members of several companies, which one."""

    method = forms.ChoiceField(label=_("Mode de paiement"), widget=forms.RadioSelect)
    company = forms.ModelChoiceField(
        label=_("Entreprise facturée"), queryset=Company.objects.none(), required=False
    )
    po_number = forms.CharField(
        label=_("Numéro de bon de commande"),
        max_length=64,
        required=False,
        help_text=_("Obligatoire pour une commande d'entreprise : il figurera sur la facture."),
    )

    def __init__(
        self, *args, methods: list, companies: list[Company], personal_invoice: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m.value, m.label) for m in methods]
        if len(methods) == 1:
            self.fields["method"].initial = methods[0].value
        self.companies = companies
        self.personal_invoice = personal_invoice
        self.fields["company"].queryset = Company.objects.filter(pk__in=[c.pk for c in companies])
        if companies and not personal_invoice:
            self.fields["company"].empty_label = None
            self.fields["company"].initial = companies[0].pk
        elif companies:
            self.fields["company"].empty_label = _("À titre personnel")
        if not companies:
            del self.fields["company"]
        if PaymentMethod.INVOICE not in methods:
            del self.fields["po_number"]

    def clean(self):
        data = super().clean()
        if data.get("method") != PaymentMethod.INVOICE:
            data["company"], data["po_number"] = None, ""
            return data
        company = data.get("company")
        if company is None and not self.personal_invoice:
            company = self.companies[0] if self.companies else None
            data["company"] = company
        if company is not None and not (data.get("po_number") or "").strip():
            self.add_error(
                "po_number", _("Indiquez le numéro de bon de commande de votre entreprise.")
            )
        data["po_number"] = (data.get("po_number") or "").strip()
        return data
