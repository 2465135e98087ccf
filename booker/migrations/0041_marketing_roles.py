from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # Photographers build the segments and follow the campaigns (sent from the CMS); the
    # campaigns and their emails are records they read, never edit.
    roles.grant(apps, roles.PHOTOGRAPHER, [
        *roles.model_perms("booker", "segment", "segmentcondition"),
        "booker.view_campaign", "booker.view_campaignsend",
    ])


class Migration(migrations.Migration):
    dependencies = [("booker", "0040_marketing")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
