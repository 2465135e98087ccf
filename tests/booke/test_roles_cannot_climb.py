"""No role raises its own or anyone's rights, through any door to accounts.

Rights are: superuser, staff status, groups, permissions (and a group's permissions), a staff
account's password, email and active flag, and a staff account's place in a company. Every
ModelAdmin registered on `admin.site` is walked (generated from the registry, so a new admin is
covered the day it is registered), then the user password page, Wagtail's users and groups,
and Oscar's customer and partner-user pages. Each is submitted as each staff role would (the
page's own form, plus every rights field an attacker would add), by each role, by a staff user
in each group the migrations make (Oscar's and Wagtail's included) and by one in all of them;
after each request, no account may hold more than before."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db import models
from django.db.models import Q
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from booker import roles
from booker.models import Company, Membership, User
from tests.factories import CompanyFactory, UserFactory, user_with_role
from tests.forms import form_data

TAKEN_OVER = "taken-over-by-a-role-42"
REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


# --- Who acts, on whom ---------------------------------------------------------------------------


def actors() -> list[tuple[str, User]]:
    """Each role as `assign_role` gives it, a staff user in each other group, one in all."""
    people = [(role, user_with_role(role)) for role in roles.ALL_ROLES]
    for group in Group.objects.exclude(name__in=roles.ALL_ROLES).order_by("name"):
        user = UserFactory(is_staff=True)
        user.groups.add(group)
        people.append((f"group {group.name}", user))
    everyone = UserFactory(is_staff=True)
    everyone.groups.set(Group.objects.all())
    people.append(("every group", everyone))
    return people


@pytest.fixture
def world(db):
    """Targets of every kind, a company with a client manager, the actors."""
    client_account = UserFactory()
    company = CompanyFactory()
    Membership.objects.create(company=company, user=client_account, role=Membership.Role.ADMIN)
    targets = {
        "client": client_account,
        "photographer": user_with_role(roles.PHOTOGRAPHER),
        "editor": user_with_role(roles.EDITOR),
        "superuser": user_with_role("superuser"),
    }
    return {"targets": targets, "company": company, "actors": actors()}


# --- What "raised" means -------------------------------------------------------------------------


def snapshot() -> dict:
    users = {}
    for user in User.objects.prefetch_related("groups", "user_permissions"):
        groups = frozenset(g.pk for g in user.groups.all())
        perms = frozenset(p.pk for p in user.user_permissions.all())
        staff = user.is_staff or user.is_superuser or bool(groups) or bool(perms)
        users[user.pk] = {
            "superuser": user.is_superuser,
            "staff": user.is_staff,
            "groups": groups,
            "perms": perms,
            "password": user.password,
            # A staff account's identity: changing its email is taking it over by reset.
            "account": (user.email, user.is_active) if staff else None,
        }
    group_perms: dict[int, set[int]] = {}
    for group_id, perm_id in Group.permissions.through.objects.values_list(
        "group_id", "permission_id"
    ):
        group_perms.setdefault(group_id, set()).add(perm_id)
    groups = {
        pk: (name, frozenset(group_perms.get(pk, ())))
        for pk, name in Group.objects.values_list("pk", "name")
    }
    staff_places = {
        (m.company_id, m.user_id, m.role)
        for m in Membership.objects.all()
        if users[m.user_id]["account"] is not None
    }
    wagtail_perms = set()
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    for model in (GroupPagePermission, GroupCollectionPermission):
        wagtail_perms |= {(model.__name__, *row) for row in model.objects.values_list()}
    return {"users": users, "groups": groups, "staff_places": staff_places,
            "wagtail": wagtail_perms}


def raised(before: dict, after: dict) -> list[str]:
    """What an account (or a group) gained between two snapshots."""
    found = []
    for pk, now in after["users"].items():
        was = before["users"].get(pk)
        if was is None:
            if now["superuser"] or now["staff"] or now["groups"] or now["perms"]:
                found.append(f"new account {pk} was created with rights")
            continue
        if now["superuser"] and not was["superuser"]:
            found.append(f"account {pk} became superuser")
        if now["staff"] and not was["staff"]:
            found.append(f"account {pk} got the staff flag")
        if now["groups"] - was["groups"]:
            found.append(f"account {pk} got groups")
        if now["perms"] - was["perms"]:
            found.append(f"account {pk} got permissions")
        if now["password"] != was["password"]:
            found.append(f"account {pk}'s password was set")
        if was["account"] is not None and now["account"] != was["account"]:
            found.append(f"staff account {pk}'s email or active flag changed")
    if after["groups"] != before["groups"]:
        found.append("groups or their permissions changed")
    if after["staff_places"] - before["staff_places"]:
        found.append("a staff account got a place in a company")
    if after["wagtail"] != before["wagtail"]:
        found.append("a group's Wagtail permissions changed")
    return found


def powerful_permissions() -> list[int]:
    """The permissions worth stealing: over accounts, groups and permissions, and the doors
    of the three back offices. Any one gained fails the test; posting all six hundred on
    every form only slowed the walk."""
    doors = Q(content_type__app_label="partner", codename="dashboard_access") | Q(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    accounts = Q(content_type__app_label__in=["auth", User._meta.app_label]) & (
        Q(codename__endswith="_user") | Q(codename__endswith="_group")
        | Q(codename__endswith="_permission")
    )
    return list(Permission.objects.filter(doors | accounts).values_list("pk", flat=True))


def hostile(data: dict[str, list[str]], actor: User) -> dict[str, list[str]]:
    """The page's own form with every rights field an attacker would add; an empty inline row
    that links a user (a company's members) names the actor, as manager."""
    data = {key: list(values) for key, values in data.items()}
    all_groups = [str(pk) for pk in Group.objects.values_list("pk", flat=True)]
    all_perms = [str(pk) for pk in powerful_permissions()]
    data.update(
        is_superuser=["on"], is_staff=["on"], is_active=["on"],
        groups=all_groups, user_permissions=all_perms, permissions=all_perms,
        password1=[TAKEN_OVER], password2=[TAKEN_OVER], usable_password=["true"],
    )
    for key in list(data):
        if key.endswith("-user") and "__prefix__" not in key and data[key] in ([], [""]):
            data[key] = [str(actor.pk)]
            role_key = key[: -len("user")] + "role"
            data[role_key] = [Membership.Role.ADMIN]
    return data


REFUSED = "refused"  # a door the actor has no permission for at all: post blind, no page to read


def submit(client, url: str, actor: User, form_id: str | None = None) -> int:
    html = ""
    if form_id != REFUSED:
        page = client.get(url)
        html = page.content.decode(errors="replace") if page.status_code == 200 else ""
    # Form-encoded, as a browser posts a form without files (and far quicker to parse).
    body = urlencode(hostile(form_data(html, form_id), actor), doseq=True)
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    return response.status_code


def check(client, world, doors) -> None:
    """Each actor submits each door; collect everything that was raised."""
    failures = []
    for name, actor in world["actors"]:
        client.force_login(actor)
        before = snapshot()
        for url, form_id in doors(actor):
            sent = len(mail.outbox)
            status = submit(client, url, actor, form_id)
            after = snapshot()
            found = raised(before, after)
            before = after
            staff_emails = {u.email for u in User.objects.all() if roles.holds_rights(u)}
            if any(set(m.to) & staff_emails for m in mail.outbox[sent:]):
                found.append("an email about their password went to a staff account")
            for what in found:
                failures.append(f"{name}: POST {url} ({status}): {what}")
    assert not failures, "\n".join(failures)


# --- Every ModelAdmin of /admin/ -----------------------------------------------------------------


def admin_objects(model: type[models.Model], world: dict, actor: User) -> list[models.Model]:
    if model is User:
        return [actor, *world["targets"].values()]
    if model is Company:
        return [world["company"]]
    if model is Group:
        return list(actor.groups.all()[:1]) or list(Group.objects.all()[:1])
    first = model._default_manager.order_by("pk").first()
    return [first] if first is not None else []


def admin_doors(model, model_admin, world):
    opts = model._meta

    def doors(actor):
        request = RequestFactory().get("/admin/")
        request.user = actor
        allowed = model_admin.has_view_or_change_permission(request) or (
            model_admin.has_add_permission(request)
        )
        try:
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            yield add, f"{opts.model_name}_form" if allowed else REFUSED
        except NoReverseMatch:
            pass
        if not allowed:
            return  # refused as a whole: the add form above stands for every door of it
        for obj in admin_objects(model, world, actor):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            yield url, f"{opts.model_name}_form"

    return doors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTRY, ids=[m._meta.label for m, _ in REGISTRY]
)
def test_no_role_raises_rights_through_an_admin_form(client, world, model, model_admin):
    check(client, world, admin_doors(model, model_admin, world))


RIGHTS_MODELS = (Group, Permission)


def rights_fields(form_class) -> set[str]:
    """Fields of a form that grant rights: by name, or choosing groups or permissions."""
    found = set(form_class.base_fields) & roles.RIGHTS_FIELDS
    for name, field in form_class.base_fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model in RIGHTS_MODELS:
            found.add(name)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTRY, ids=[m._meta.label for m, _ in REGISTRY]
)
def test_no_admin_form_offers_a_role_a_rights_field(rf, world, model, model_admin):
    """Not only refused when posted: a role's forms (and their inlines) have no such field."""
    failures = []
    for name, actor in world["actors"]:
        request = rf.get("/admin/")
        request.user = actor
        for obj in [None, *admin_objects(model, world, actor)]:
            allowed = (
                model_admin.has_add_permission(request) if obj is None
                else model_admin.has_change_permission(request, obj)
            )
            if not allowed:
                continue
            form = model_admin.get_form(request, obj, change=obj is not None)
            if fields := rights_fields(form):
                failures.append(f"{name} on {obj!r}: {sorted(fields)}")
            for inline in model_admin.get_inline_instances(request, obj):
                formset = inline.get_formset(request, obj)
                if fields := rights_fields(formset.form):
                    failures.append(f"{name} on {obj!r}, inline {inline}: {sorted(fields)}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_registry_is_walked_whole():
    """The walk above reads the live registry: the user admin and the groups are in it."""
    labels = {model._meta.label for model, _ in REGISTRY}
    assert {"booker.User", "auth.Group", "booker.Company"} <= labels


@pytest.mark.django_db
def test_no_role_sets_a_password_on_the_user_password_page(client, world):
    def doors(actor):
        for target in [actor, *world["targets"].values()]:
            yield reverse("admin:auth_user_password_change", args=[target.pk]), None

    check(client, world, doors)


@pytest.mark.django_db
def test_a_superuser_still_grants_rights_in_the_user_admin(client, world):
    """The rule restricts roles, not the administrator."""
    boss = world["targets"]["superuser"]
    target = world["targets"]["client"]
    client.force_login(boss)
    url = reverse("admin:booker_user_change", args=[target.pk])
    data = form_data(client.get(url).content.decode(), "user_form")
    data.update(is_staff=["on"], groups=[str(Group.objects.get(name=roles.RETOUCHER).pk)])
    response = client.post(url, data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_staff and target.groups.filter(name=roles.RETOUCHER).exists()


# --- Wagtail's users and groups (/cms/) ----------------------------------------------------------


@pytest.mark.django_db
def test_no_role_raises_rights_through_wagtails_users_and_groups(client, world):
    def doors(actor):
        group = Group.objects.get(name=roles.EDITOR)
        yield reverse("wagtailusers_users:add"), None
        for target in [actor, *world["targets"].values()]:
            yield reverse("wagtailusers_users:edit", args=[target.pk]), None
        yield reverse("wagtailusers_groups:add"), None
        yield reverse("wagtailusers_groups:edit", args=[group.pk]), None
        ids = "&".join(f"id={t.pk}" for t in [actor, *world["targets"].values()])
        for action in ("assign_role", "set_active_state"):
            url = reverse("wagtail_bulk_action", args=[User._meta.app_label, "user", action])
            yield f"{url}?{ids}&role={group.pk}&mark_as_active=false", None

    check(client, world, doors)


@pytest.mark.django_db
def test_an_editor_cannot_open_wagtails_users_even_with_the_user_permissions(client, db):
    """Wagtail lets anyone with change_user make anyone superuser: here an editor who also
    holds every user permission still gets no door."""
    editor = user_with_role(roles.EDITOR)
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="booker", codename__endswith="_user")
    )
    client.force_login(editor)
    assert client.get(reverse("wagtailusers_users:index")).status_code in (302, 403)


# --- Oscar's dashboard (/dashboard/) -------------------------------------------------------------


@pytest.mark.django_db
def test_no_role_raises_rights_through_oscars_customer_and_partner_pages(client, world):
    from oscar.core.loading import get_model

    Partner = get_model("partner", "Partner")
    partner = Partner.objects.create(name="Labo photo")
    linked_staff = world["targets"]["superuser"]
    partner.users.add(linked_staff)

    def doors(actor):
        for target in [actor, *world["targets"].values()]:
            yield reverse("dashboard:user-password-reset", args=[target.pk]), None
            yield reverse("dashboard:partner-user-link", args=[partner.pk, target.pk]), None
        yield reverse("dashboard:partner-user-create", args=[partner.pk]), None
        yield reverse("dashboard:partner-user-update", args=[partner.pk, linked_staff.pk]), None

    check(client, world, doors)


@pytest.mark.django_db
def test_a_role_cannot_switch_off_or_mail_a_staff_account_from_the_dashboard(client, world):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    staff = world["targets"]["editor"]
    other = world["targets"]["photographer"]
    client.force_login(photographer)
    client.post(reverse("dashboard:users-index"),
                {"action": "make_inactive", "selected_user": [staff.pk, other.pk]})
    response = client.post(reverse("dashboard:user-password-reset", args=[other.pk]))

    assert response.status_code == 404
    assert not mail.outbox
    staff.refresh_from_db()
    other.refresh_from_db()
    assert staff.is_active and other.is_active


@pytest.mark.django_db
def test_a_role_still_sends_a_client_the_password_reset_email(client, world):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    customer = world["targets"]["client"]
    client.force_login(photographer)
    response = client.post(reverse("dashboard:user-password-reset", args=[customer.pk]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[customer.email]]


@pytest.mark.django_db
def test_the_administrator_keeps_every_door_to_accounts(client):
    from oscar.core.loading import get_model

    partner = get_model("partner", "Partner").objects.create(name="Labo photo")
    customer = UserFactory()
    client.force_login(user_with_role("superuser"))
    for url in (
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_users:edit", args=[customer.pk]),
        reverse("wagtailusers_groups:index"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_user_password_change", args=[customer.pk]),
        reverse("dashboard:partner-user-create", args=[partner.pk]),
    ):
        assert client.get(url).status_code == 200, url
