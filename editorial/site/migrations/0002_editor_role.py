from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # Editors keep the studio's details and the menus up to date in /cms/ (Settings menu).
    roles.grant(
        apps,
        roles.EDITOR,
        roles.model_perms(
            "editorial_site", "studiosettings", "navigationsettings", actions=("change", "view")
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial_site", "0001_initial"),
        ("editorial", "0003_editor_role"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
