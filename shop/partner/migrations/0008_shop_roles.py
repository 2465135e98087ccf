from django.db import migrations

from booker import roles

SHOP_MODELS = {
    "catalogue": [
        "product", "productclass", "category", "productattribute", "productimage", "option",
    ],
    "partner": ["partner", "stockrecord"],
    "order": ["order", "line", "ordernote"],
    "offer": ["conditionaloffer", "range"],
    "voucher": ["voucher"],
    "reviews": ["productreview"],
}


def grant_shop(apps, schema_editor):
    roles.grant(apps, roles.PHOTOGRAPHER, ["partner.dashboard_access"])
    perms = ["partner.dashboard_access"]
    for app_label, models in SHOP_MODELS.items():
        perms += roles.model_perms(app_label, *models)
    roles.grant(apps, roles.SHOP_MANAGER, perms)


class Migration(migrations.Migration):
    dependencies = [
        ("partner", "0007_partneraddress_code"),
        ("booker", "0002_roles"),
        # Permissions of the models these apps have, hence migrations where they all exist.
        # Named, never "__latest__": that moves to each new migration of the app, and a
        # database that applied this one would refuse to migrate ("applied before its
        # dependency"), as the forked order app's first migration of our own showed.
        ("catalogue", "0032_category_exclude_from_menu_category_long_description"),
        ("order", "0021_billingaddress_code_shippingaddress_code"),
        ("offer", "0013_range_excluded_categories"),
        ("voucher", "0010_auto_20210224_0712"),
        ("reviews", "0005_productreview_code"),
    ]

    operations = [migrations.RunPython(grant_shop, migrations.RunPython.noop)]
