"""Oscar's partner admin (every model of the app kept), with the stock record's price saying
how it is typed — VAT included or not, as the studio chose (settings.BOOKE_PRICES_INCLUDE_TAX) —
as the dashboard's form does (shop/dashboard/catalogue/forms.py): Oscar's bare "Prix" did not."""

from django.contrib import admin
from django.utils.functional import lazy
from oscar.apps.partner.admin import *  # noqa: F403 -- Oscar fork: keep every model of the app
from oscar.apps.partner.admin import StockRecordAdmin as OscarStockRecordAdmin
from oscar.core.loading import get_model

from shop.dashboard.catalogue.forms import price_entry_help, price_entry_label

StockRecord = get_model("partner", "StockRecord")

# Read when the page is drawn, so that the setting in force then names the column.
_price_label = lazy(price_entry_label, str)


class StockRecordAdmin(OscarStockRecordAdmin):
    list_display = ("product", "partner", "partner_sku", "typed_price", "num_in_stock")

    @admin.display(description=_price_label(), ordering="price")
    def typed_price(self, record):
        return record.price

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "price" in form.base_fields:
            form.base_fields["price"].label = price_entry_label()
            form.base_fields["price"].help_text = price_entry_help()
        return form


admin.site.unregister(StockRecord)
admin.site.register(StockRecord, StockRecordAdmin)
