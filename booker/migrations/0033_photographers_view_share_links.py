from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # The studio reads the clients' family links in /admin/ and revokes one (a photo shared
    # by mistake, a client who asks): viewing is all it needs, the links are never edited.
    roles.grant(apps, roles.PHOTOGRAPHER, roles.model_perms("booker", "sharelink",
                                                            actions=("view",)))


class Migration(migrations.Migration):

    dependencies = [
        ("booker", "0032_client_approves_finals"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
