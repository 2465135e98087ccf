"""The studio's editors moderate the journal's comments in /cms/: they see, approve, reject,
reply to and delete them. Nobody else gets these permissions."""

from django.db import migrations

from booker import roles


def grant_moderation(apps, schema_editor):
    roles.grant(
        apps,
        roles.EDITOR,
        roles.model_perms("editorial_comments", "comment"),
    )


def revoke_moderation(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=roles.EDITOR).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="editorial_comments")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial_comments", "0001_initial"),
        ("editorial", "0003_editor_role"),
    ]

    operations = [migrations.RunPython(grant_moderation, revoke_moderation)]
