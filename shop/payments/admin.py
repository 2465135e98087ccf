from django.contrib import admin

from .models import Invoice, InvoiceApproval


@admin.register(InvoiceApproval)
class InvoiceApprovalAdmin(admin.ModelAdmin):
    """Where a staff member allows a private client to pay on invoice."""

    list_display = ("user", "approved_by", "approved_at", "note")
    search_fields = ("user__email", "user__last_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("approved_by", "approved_at")

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
