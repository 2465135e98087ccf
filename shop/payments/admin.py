from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from booker import roles

from .models import CreditNote, Invoice, InvoiceApproval, OrderApproval, StripeCheckout


@admin.register(InvoiceApproval)
class InvoiceApprovalAdmin(admin.ModelAdmin):
    """Where a staff member allows a private client to pay on invoice."""

    list_display = ("user", "approved_by", "approved_at", "note")
    search_fields = ("user__email", "user__last_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("approved_by", "approved_at")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        actor = request.user

        class ApprovalForm(form):
            def clean_user(self):
                user = self.cleaned_data["user"]
                # Paying on invoice is credit: a staff member never grants it to themselves
                # or to another staff account (`roles.may_edit_account`, the rule of accounts).
                if user is not None and not roles.may_edit_account(actor, user):
                    raise forms.ValidationError(
                        _("Only an administrator may allow a staff account to pay on invoice.")
                    )
                return user

        return ApprovalForm

    def save_model(self, request, obj, form, change):
        if not change:
            obj.approved_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Read-only: an issued invoice is never edited (French rules); payments are recorded from
    the dashboard's order page."""

    list_display = ("number", "order", "company", "issued_on", "due_on", "paid_on")
    list_filter = ("paid_on",)
    search_fields = ("number", "order__number", "po_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StripeCheckout)
class StripeCheckoutAdmin(admin.ModelAdmin):
    """Read-only: the Stripe Checkout Sessions and what became of each. A payment refunded
    because its basket changed, or held because Stripe refused that refund, says why in its
    note: a held one is refunded by hand in Stripe's dashboard."""

    list_display = ("session_id", "order_number", "amount", "currency", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("session_id", "order_number", "payment_intent")
    fields = (
        "session_id", "order_number", "order", "state", "note", "amount", "currency",
        "payment_intent", "user", "guest_email", "created_at", "placed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditNote)
class CreditNoteAdmin(_ReadOnly):
    """Read-only, as invoices: a credit note is issued by the shop (a cancelled or refunded
    order on invoice, a booking's deposit no longer due), never typed."""

    list_display = ("number", "invoice", "amount", "issued_on", "reason")
    search_fields = ("number", "invoice__number", "invoice__order__number")


@admin.register(OrderApproval)
class OrderApprovalAdmin(_ReadOnly):
    """Read-only: companies' orders waiting for (or decided by) their approvers, who decide
    in the shop, not the studio."""

    list_display = ("order_number", "company", "requester", "amount", "state", "requested_at")
    list_filter = ("state",)
    search_fields = ("order_number", "company__name", "requester__email", "po_number")
    fields = (
        "order_number", "company", "requester", "amount", "currency", "po_number", "state",
        "reason", "decided_by", "decided_at", "order", "requested_at",
    )
    readonly_fields = fields
