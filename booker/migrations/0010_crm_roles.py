from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # Photographers follow up the leads; consents are evidence they may read, never edit.
    roles.grant(
        apps,
        roles.PHOTOGRAPHER,
        ["booker.view_lead", "booker.change_lead", "booker.view_marketingconsent"],
    )


class Migration(migrations.Migration):
    dependencies = [("booker", "0009_crm")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
