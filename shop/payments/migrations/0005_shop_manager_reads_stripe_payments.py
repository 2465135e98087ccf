from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # Shop managers read the Stripe payments (a refunded or held one says why); nobody edits them.
    roles.grant(
        apps, roles.SHOP_MANAGER,
        roles.model_perms("payments", "stripecheckout", actions=("view",)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_stripe_checkout_binding"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
