"""The deposit product a booking's deposit is sold as, in production as in the demo: its class
(no shipping, no stock), the product itself (not public, no offers), a stock record (its price
is the Booker's, set per line by shop.partner.strategy; the 0.00 here is never charged), and
the Oscar Option "reservation" that carries the booking's token on the line.

Like shop/personal's options, the option is attached to no product class: Oscar's public
add-to-basket form would render a field for it, and nobody may type another client's booking
in. Only shop.deposits.services sets it, after the owner check."""

from decimal import Decimal

from django.db import migrations

# Copied, not imported: a migration keeps the values it was written with
# (shop/catalogue/product_classes.py DEPOSIT, DEPOSIT_UPC; shop/demo.py PARTNER_NAME).
CLASS_SLUG, CLASS_NAME = "acompte-seance", "Acompte de séance"
UPC, TITLE = "BK-ACOMPTE-SEANCE", "Acompte de séance"
PARTNER_NAME = "Atelier Booké"
OPTION_CODE, OPTION_NAME = "reservation", "Réservation"


def create_deposit_product(apps, schema_editor):
    Option = apps.get_model("catalogue", "Option")
    ProductClass = apps.get_model("catalogue", "ProductClass")
    Product = apps.get_model("catalogue", "Product")
    Partner = apps.get_model("partner", "Partner")
    StockRecord = apps.get_model("partner", "StockRecord")

    Option.objects.get_or_create(
        code=OPTION_CODE, defaults={"name": OPTION_NAME, "type": "text"}
    )
    product_class, _ = ProductClass.objects.get_or_create(
        slug=CLASS_SLUG,
        defaults={"name": CLASS_NAME, "requires_shipping": False, "track_stock": False},
    )
    product, _ = Product.objects.get_or_create(
        upc=UPC,
        defaults={
            "title": TITLE,
            "slug": "acompte-de-seance",
            "structure": "standalone",
            "product_class": product_class,
            "is_public": False,
            # An offer or a voucher never lowers what a booking's deposit costs.
            "is_discountable": False,
        },
    )
    # The studio's partner if it has one (the demo's name otherwise, which the demo reuses).
    partner = Partner.objects.order_by("pk").first()
    if partner is None:
        partner = Partner.objects.create(name=PARTNER_NAME, code="atelier-booke")
    if not StockRecord.objects.filter(product=product).exists():
        StockRecord.objects.create(
            product=product,
            partner=partner,
            partner_sku=UPC,
            price=Decimal("0.00"),
            price_currency="EUR",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0032_category_exclude_from_menu_category_long_description"),
        ("partner", "0008_shop_roles"),
    ]

    operations = [migrations.RunPython(create_deposit_product, migrations.RunPython.noop)]
