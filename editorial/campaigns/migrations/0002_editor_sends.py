"""The studio's editors write the campaigns in /cms/ and send them to a segment."""

from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    roles.grant(apps, roles.EDITOR, [
        *roles.model_perms("editorial_campaigns", "campaigncontent"),
        "editorial_campaigns.send_campaigncontent",
    ])


class Migration(migrations.Migration):
    dependencies = [
        ("editorial_campaigns", "0001_initial"),
        ("editorial", "0003_editor_role"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
