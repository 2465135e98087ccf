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


# --- Clients are invited, never given a password by the studio ----------------------------------


@pytest.mark.django_db
def test_a_photographer_invites_a_client_who_then_chooses_their_password(
    client, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    from tests.factories import user_with_role
    from tests.forms import form_data

    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    page = client.get("/admin/booker/user/add/")
    assert "recevra un e-mail avec un lien pour choisir son mot de passe" in page.content.decode()
    fields = set(form_data(page.content.decode(), "user_form"))
    assert {"email", "first_name", "last_name", "phone"} <= fields
    assert not fields & {"password", "password1", "password2", "usable_password",
                         "is_staff", "is_superuser", "groups", "user_permissions"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/booker/user/add/", {
            "email": "Chloe.Martin@Example.test", "first_name": "Chloé", "last_name": "Martin",
            "phone": "06 12 34 56 78", "password1": "typed-by-the-studio-123",
            "password2": "typed-by-the-studio-123", "is_staff": "on",
        })

    assert response.status_code == 302
    invited = User.objects.get(email="chloe.martin@example.test")
    assert (invited.first_name, invited.phone) == ("Chloé", "06 12 34 56 78")
    assert not invited.has_usable_password()
    assert not invited.is_staff and not invited.groups.exists()
    [email] = mail.outbox
    assert email.to == ["chloe.martin@example.test"]
    assert email.subject.endswith("vous ouvre votre espace client")
    assert "Bonjour Chloé," in email.body

    # The link is the invitation's "choose a password" page; the password chosen there works.
    client.logout()
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", email.body).group(1)
    form_page = client.get(link)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    client.post(link, {
        "new_password1": "Chloe chose this one 2026", "new_password2": "Chloe chose this one 2026",
    })
    invited.refresh_from_db()
    assert invited.check_password("Chloe chose this one 2026")


@pytest.mark.django_db
def test_an_invitation_to_an_address_that_has_an_account_is_refused(client):
    from tests.factories import user_with_role

    User.objects.create_user("deja@example.test", "pw")
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    response = client.post("/admin/booker/user/add/", {"email": "DEJA@example.test"})
    assert response.status_code == 200
    assert "Un compte existe déjà pour cette adresse e-mail." in response.content.decode()
    assert User.objects.filter(email__iexact="deja@example.test").count() == 1


@pytest.mark.django_db
def test_invite_client_opens_an_account_without_a_usable_password(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    from booker.services import StudioError, invite_client

    with django_capture_on_commit_callbacks(execute=True):
        user = invite_client("Paul@Example.test", first_name="Paul")
    assert user.email == "paul@example.test" and not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["paul@example.test"]]
    with pytest.raises(StudioError):
        invite_client("paul@example.test")


@pytest.mark.django_db
def test_a_photographer_edits_a_clients_profile_but_only_reads_a_staff_account(client):
    from tests.factories import UserFactory, user_with_role
    from tests.forms import form_data

    photographer = user_with_role(roles.PHOTOGRAPHER)
    customer = UserFactory()
    colleague = user_with_role(roles.RETOUCHER)
    client.force_login(photographer)

    url = f"/admin/booker/user/{customer.pk}/change/"
    data = form_data(client.get(url).content.decode(), "user_form")
    assert {"email", "first_name", "last_name", "phone"} <= set(data)
    data["phone"] = ["05 56 00 00 00"]
    assert client.post(url, data).status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "05 56 00 00 00"

    for target in (colleague, photographer):
        url = f"/admin/booker/user/{target.pk}/change/"
        assert "first_name" not in form_data(client.get(url).content.decode(), "user_form")
        response = client.post(url, {"email": "pirate@example.test", "first_name": "X"})
        assert response.status_code == 403
        target.refresh_from_db()
        assert target.email != "pirate@example.test"


@pytest.mark.django_db
def test_only_an_administrator_gives_a_role():
    from booker.services import StudioError
    from tests.factories import user_with_role

    photographer = user_with_role(roles.PHOTOGRAPHER)
    with pytest.raises(StudioError):
        assign_role(photographer, roles.SHOP_MANAGER, actor=photographer)
    assert not photographer.groups.filter(name=roles.SHOP_MANAGER).exists()
    assign_role(photographer, roles.SHOP_MANAGER, actor=user_with_role("superuser"))
    assert photographer.groups.filter(name=roles.SHOP_MANAGER).exists()


@pytest.mark.django_db
def test_a_photographer_cannot_make_themselves_manager_of_a_company(client):
    from booker.models import Membership
    from tests.factories import CompanyFactory, user_with_role
    from tests.forms import form_data

    photographer = user_with_role(roles.PHOTOGRAPHER)
    company = CompanyFactory()
    client.force_login(photographer)
    url = f"/admin/booker/company/{company.pk}/change/"
    data = form_data(client.get(url).content.decode(), "company_form")
    data["memberships-0-user"] = [str(photographer.pk)]
    data["memberships-0-role"] = [Membership.Role.ADMIN]
    response = client.post(url, data)

    assert response.status_code == 200
    assert "Seul un administrateur peut mettre un compte du studio" in response.content.decode()
    assert not Membership.objects.filter(user=photographer).exists()
