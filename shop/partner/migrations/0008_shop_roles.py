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
        # Permissions of every model these apps have today, hence their latest state.
        ("catalogue", "__latest__"),
        ("order", "__latest__"),
        ("offer", "__latest__"),
        ("voucher", "__latest__"),
        ("reviews", "__latest__"),
    ]

    operations = [migrations.RunPython(grant_shop, migrations.RunPython.noop)]
