from django.db import migrations

from booker import roles


def grant(apps, schema_editor):
    roles.grant(
        apps,
        roles.PHOTOGRAPHER,
        roles.model_perms(
            "booker", "package", "photosession", "rush", "retouchjob", "finalphoto", "delivery"
        )
        + ["booker.view_selection", "booker.view_selectionitem", "booker.view_sessionevent",
           "booker.view_downloadlog"],
    )
    roles.grant(
        apps,
        roles.RETOUCHER,
        ["booker.view_photosession", "booker.view_rush", "booker.view_retouchjob",
         "booker.change_retouchjob", "booker.view_finalphoto", "booker.add_finalphoto",
         "booker.change_finalphoto"],
    )


class Migration(migrations.Migration):
    dependencies = [("booker", "0003_studio")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
