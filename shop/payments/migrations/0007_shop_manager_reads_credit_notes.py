from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # Shop managers read credit notes and companies' orders waiting for approval; nobody
    # edits them in the admin.
    perms = roles.model_perms("payments", "creditnote", actions=("view",))
    perms += roles.model_perms("payments", "orderapproval", actions=("view",))
    roles.grant(apps, roles.SHOP_MANAGER, perms)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_approvals_and_credit_notes"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
