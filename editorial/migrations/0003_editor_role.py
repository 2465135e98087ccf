"""The Editor role: the Wagtail admin, the whole page tree, the image and document libraries.

Wagtail's own migrations make an "Editors" group. The studio has one editor group, ours, so
Wagtail's is renamed to it (or folded into it when booker already made it, as on a fresh
database), keeping whatever people and permissions it had."""

from django.conf import settings
from django.db import migrations

from booker import roles

WAGTAIL_EDITORS = "Editors"
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
LIBRARY_PERMISSIONS = [
    ("wagtailimages", f"{action}_image") for action in ("add", "change", "choose")
] + [("wagtaildocs", f"{action}_document") for action in ("add", "change", "choose")]


def _fold(apps, old, into) -> None:
    """Give `into` everything `old` has, so that `old` can be deleted without anyone losing
    access."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for user in User.objects.filter(groups=old):
        user.groups.add(into)
    into.permissions.add(*old.permissions.all())
    for model_name, target in (
        ("GroupPagePermission", "page_id"),
        ("GroupCollectionPermission", "collection_id"),
        ("GroupSitePermission", "site_id"),
    ):
        Model = apps.get_model("wagtailcore", model_name)
        for row in Model.objects.filter(group=old):
            Model.objects.get_or_create(
                group=into, permission_id=row.permission_id, **{target: getattr(row, target)}
            )
    # A moderation workflow step assigned to Wagtail's group must keep a group to ask.
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    for task in GroupApprovalTask.objects.filter(groups=old):
        task.groups.add(into)


def set_up_editor_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    wagtail_editors = Group.objects.filter(name=WAGTAIL_EDITORS).first()
    if wagtail_editors is not None:
        editor = Group.objects.filter(name=roles.EDITOR).first()
        if editor is None:
            wagtail_editors.name = roles.EDITOR
            wagtail_editors.save(update_fields=["name"])
        else:
            _fold(apps, wagtail_editors, into=editor)
            wagtail_editors.delete()

    roles.grant(apps, roles.EDITOR, ["wagtailadmin.access_admin"])
    editor = Group.objects.get(name=roles.EDITOR)

    root_page = Page.objects.get(depth=1)
    for codename in PAGE_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", content_type__model="page", codename=codename
        )
        GroupPagePermission.objects.get_or_create(
            group=editor, page=root_page, permission=permission
        )

    root_collection = Collection.objects.get(depth=1)
    for app_label, codename in LIBRARY_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        GroupCollectionPermission.objects.get_or_create(
            group=editor, collection=root_collection, permission=permission
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_pages"),
        # booker makes the role groups; ours must exist before Wagtail's is folded into it.
        ("booker", "0002_roles"),
        # The latest of each: every Wagtail migration that grants to "Editors" by name has run.
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]

    # Folding two groups cannot be undone; unapplying leaves the role as it is.
    operations = [migrations.RunPython(set_up_editor_role, migrations.RunPython.noop)]
