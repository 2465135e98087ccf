"""Stock records were read excluding VAT; from now on they are read as the studio types them,
including VAT by default (settings.BOOKE_PRICES_INCLUDE_TAX, shop.partner.strategy). So that no
customer sees a price change on the day this is deployed, each stored price becomes the price
including VAT that customers were shown (66,00 → 79,20); the shop manager then reads in the
dashboard what customers pay, and corrects it there if 66,00 € was meant."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import migrations

# Frozen here: a migration must not change with the code it was written beside.
RATE = Decimal("0.20")
CENT = Decimal("0.01")


def _convert(apps, to_incl: bool) -> None:
    if not getattr(settings, "BOOKE_PRICES_INCLUDE_TAX", True):
        return  # typed excluding VAT, as they were read until now: nothing to convert
    StockRecord = apps.get_model("partner", "StockRecord")
    for record in StockRecord.objects.exclude(price=None).only("pk", "price"):
        price = record.price * (1 + RATE) if to_incl else record.price / (1 + RATE)
        record.price = price.quantize(CENT, rounding=ROUND_HALF_UP)
        record.save(update_fields=["price"])


def to_incl_tax(apps, schema_editor) -> None:
    _convert(apps, to_incl=True)


def to_excl_tax(apps, schema_editor) -> None:
    _convert(apps, to_incl=False)


class Migration(migrations.Migration):
    dependencies = [("partner", "0008_shop_roles")]

    operations = [migrations.RunPython(to_incl_tax, to_excl_tax)]
