from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    # The studio runs its own automation: photographers edit the rules and the emails' texts,
    # follow the messages sent (read only: the outbox is evidence) and tick their tasks off.
    roles.grant(
        apps,
        roles.PHOTOGRAPHER,
        [
            *roles.model_perms("booker", "rule", "emailtemplate", actions=("add", "change",
                                                                           "view")),
            "booker.view_message",
            "booker.view_stafftask", "booker.change_stafftask",
        ],
    )
    roles.grant(apps, roles.RETOUCHER, ["booker.view_stafftask", "booker.change_stafftask"])


class Migration(migrations.Migration):
    dependencies = [("booker", "0012_automation")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
