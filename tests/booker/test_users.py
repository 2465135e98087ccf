import pytest
from django.db import IntegrityError

from booker import roles
from booker.models import User
from booker.services import assign_role, ensure_user


@pytest.mark.django_db
def test_email_is_the_login_and_is_stored_lower_case():
    user = User.objects.create_user("  Anne.Martin@Studio.FR ", "pw")
    assert user.email == "anne.martin@studio.fr"
    assert User.USERNAME_FIELD == "email"


@pytest.mark.django_db
def test_two_accounts_cannot_share_an_email_in_different_case():
    User.objects.create_user("anne@studio.fr", "pw")
    with pytest.raises(IntegrityError):
        # Bypass save()'s normalisation: the database constraint itself refuses it.
        User.objects.bulk_create([User(email="ANNE@studio.fr")])


@pytest.mark.django_db
def test_ensure_user_finds_the_existing_account_whatever_the_case():
    first, created = ensure_user("leo@studio.fr", password="pw")
    again, created_again = ensure_user("LEO@Studio.fr", password="other")
    assert created and not created_again
    assert again.pk == first.pk
    assert again.check_password("pw"), "an existing account keeps its password"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "staff"),
    [
        (roles.PHOTOGRAPHER, True),
        (roles.RETOUCHER, True),
        (roles.SHOP_MANAGER, True),
        (roles.EDITOR, False),
    ],
)
def test_back_office_roles_get_the_staff_flag_editors_do_not(role, staff):
    user = User.objects.create_user("x@studio.fr", "pw")
    assign_role(user, role)
    user.refresh_from_db()
    assert user.is_staff is staff
    assert user.groups.filter(name=role).exists()


@pytest.mark.django_db
def test_an_unknown_role_is_refused():
    user = User.objects.create_user("x@studio.fr", "pw")
    with pytest.raises(ValueError, match="Unknown role"):
        assign_role(user, "Wizard")


@pytest.mark.django_db
def test_migrations_create_the_four_roles_with_their_permissions():
    from django.contrib.auth.models import Group

    perms = {
        g.name: {f"{p.content_type.app_label}.{p.codename}" for p in g.permissions.all()}
        for g in Group.objects.prefetch_related("permissions__content_type")
    }
    assert set(roles.ALL_ROLES) <= set(perms)
    assert "partner.dashboard_access" in perms[roles.PHOTOGRAPHER]
    assert "partner.dashboard_access" in perms[roles.SHOP_MANAGER]
    assert "partner.dashboard_access" not in perms[roles.RETOUCHER]
    assert "booker.change_company" in perms[roles.PHOTOGRAPHER]
    assert "catalogue.change_product" in perms[roles.SHOP_MANAGER]


# --- Finding 1 of issue 14: a photographer made themselves superuser ----------------------------


@pytest.mark.django_db
def test_a_photographer_cannot_make_themselves_superuser_in_the_user_admin(client):
    """The exact request of the finding: POST /admin/booker/user/<own id>/change/ with
    is_superuser=on (and staff, every group, every permission) saved nothing of it."""
    from django.contrib.auth.models import Group, Permission

    from tests.factories import user_with_role
    from tests.forms import form_data

    photographer = user_with_role(roles.PHOTOGRAPHER)
    client.force_login(photographer)
    url = f"/admin/booker/user/{photographer.pk}/change/"
    data = form_data(client.get(url).content.decode())
    data.update(
        is_superuser=["on"], is_staff=["on"], is_active=["on"],
        groups=[str(pk) for pk in Group.objects.values_list("pk", flat=True)],
        user_permissions=[str(pk) for pk in Permission.objects.values_list("pk", flat=True)],
    )
    data.setdefault("email", [photographer.email])
    client.post(url, data)

    photographer.refresh_from_db()
    assert not photographer.is_superuser
    assert set(photographer.groups.values_list("name", flat=True)) == {roles.PHOTOGRAPHER}
    assert not photographer.user_permissions.exists()


@pytest.mark.django_db
def test_a_photographer_cannot_set_a_superusers_password(client):
    from tests.factories import user_with_role

    photographer = user_with_role(roles.PHOTOGRAPHER)
    boss = user_with_role("superuser")
    client.force_login(photographer)
    url = f"/admin/booker/user/{boss.pk}/password/"
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"password1": "taken-over-by-the-photographer",
                                 "password2": "taken-over-by-the-photographer"})

    assert response.status_code in (403, 404)
    boss.refresh_from_db()
    assert not boss.check_password("taken-over-by-the-photographer")
