from django.db import migrations

from booker import roles


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    roles.grant(
        apps,
        roles.PHOTOGRAPHER,
        roles.model_perms("booker", "company", "membership")
        + ["booker.view_user", "booker.add_user", "booker.change_user"],
    )
    roles.grant(apps, roles.RETOUCHER, ["booker.view_company"])


class Migration(migrations.Migration):
    dependencies = [
        ("booker", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
