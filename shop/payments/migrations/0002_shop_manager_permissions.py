from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # Shop managers approve private clients for invoices (Django admin) and read invoices.
    perms = roles.model_perms("payments", "invoiceapproval")
    perms += roles.model_perms("payments", "invoice", actions=("view",))
    roles.grant(apps, roles.SHOP_MANAGER, perms)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("partner", "0008_shop_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
