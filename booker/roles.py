"""The studio's roles are Django groups. Each app's migrations grant its own permissions to them,
so that no app reaches into another's: booker grants studio permissions, shop grants the
dashboard, editorial grants Wagtail.

The grant helpers run inside data migrations (they take the migration's `apps`). Below them,
the one rule on rights that every door to accounts asks: only superusers grant them."""

from __future__ import annotations

from collections.abc import Iterable

PHOTOGRAPHER = "Photographer"
RETOUCHER = "Retoucher"
EDITOR = "Editor"
SHOP_MANAGER = "Shop manager"

ALL_ROLES = (PHOTOGRAPHER, RETOUCHER, EDITOR, SHOP_MANAGER)
# Roles whose holders work in a back office that requires the staff flag (/admin/, /dashboard/).
STAFF_ROLES = frozenset({PHOTOGRAPHER, RETOUCHER, SHOP_MANAGER})


def create_all_permissions(apps) -> None:
    """Permissions are normally made after `migrate` finishes; a data migration that grants them
    on a fresh database needs them now."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, apps=apps)


def grant(apps, role: str, perms: Iterable[str]) -> None:
    """Give `role` the permissions named "app_label.codename" (created if missing)."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=role)
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def model_perms(app_label: str, *models: str, actions=("add", "change", "delete", "view")):
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


# --- Who may touch an account's rights ---------------------------------------------------------
# Rights are: superuser, staff status, groups (roles) and direct permissions. Only superusers
# grant them; a staff role edits clients' profiles and nothing else. Every door to accounts
# (the studio admin, Wagtail's users and groups, Oscar's dashboard) asks these two functions.

RIGHTS_FIELDS = frozenset({"is_superuser", "is_staff", "groups", "user_permissions"})


def grants_rights(actor) -> bool:
    """Whether `actor` may grant or take away rights, set passwords and edit staff accounts."""
    return bool(getattr(actor, "is_active", False) and getattr(actor, "is_superuser", False))


def holds_rights(user) -> bool:
    """A staff member's account, in the broad sense: anyone with a flag, a role or a
    permission (an editor has no staff flag, yet their account opens /cms/)."""
    if user.is_staff or user.is_superuser:
        return True
    if user.pk is None:
        return False
    return user.groups.exists() or user.user_permissions.exists()


def may_edit_account(actor, target) -> bool:
    """Whether `actor` may change `target`'s account (profile fields only, for non-superusers):
    a client's, yes; a staff member's, their own included, only a superuser's."""
    return grants_rights(actor) or not holds_rights(target)
