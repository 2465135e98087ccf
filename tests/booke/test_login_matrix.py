"""One login, every surface: each role × each surface gives the right answer."""

import pytest
from django.urls import reverse

from booker import roles
from booker.twofactor.selectors import needs_second_factor
from tests.factories import PASSWORD, ROLE_NAMES, user_with_role
from tests.otp import confirmed_device, pass_second_factor, totp_code

OK, LOGIN, FORBIDDEN, CODE = "ok", "login", "forbidden", "second factor"
SURFACES = ("/", "/shop/catalogue/", "/portal/", "/cms/", "/dashboard/", "/admin/")

# What each kind of person gets on each surface.
EXPECTED = {
    "anonymous": {"/": OK, "/shop/catalogue/": OK, "/portal/": LOGIN, "/cms/": LOGIN,
                  "/dashboard/": LOGIN, "/admin/": LOGIN},
    None: {"/": OK, "/shop/catalogue/": OK, "/portal/": OK, "/cms/": LOGIN,
           "/dashboard/": FORBIDDEN, "/admin/": LOGIN},
    roles.PHOTOGRAPHER: {"/": OK, "/shop/catalogue/": OK, "/portal/": OK, "/cms/": LOGIN,
                         "/dashboard/": OK, "/admin/": OK},
    roles.RETOUCHER: {"/": OK, "/shop/catalogue/": OK, "/portal/": OK, "/cms/": LOGIN,
                      "/dashboard/": FORBIDDEN, "/admin/": OK},
    roles.EDITOR: {"/": OK, "/shop/catalogue/": OK, "/portal/": OK, "/cms/": OK,
                   "/dashboard/": FORBIDDEN, "/admin/": LOGIN},
    roles.SHOP_MANAGER: {"/": OK, "/shop/catalogue/": OK, "/portal/": OK, "/cms/": LOGIN,
                         "/dashboard/": OK, "/admin/": OK},
    "superuser": {s: OK for s in SURFACES},
}  # fmt: skip


def outcome(response) -> str:
    """Follow the redirects a browser would and say where the person ended up."""
    if response.status_code == 403:
        return FORBIDDEN
    assert response.status_code == 200, (response.status_code, response.redirect_chain)
    if response.request["PATH_INFO"] == reverse("login"):
        return LOGIN
    if response.request["PATH_INFO"].startswith("/accounts/2fa/"):
        return CODE
    return OK


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", *ROLE_NAMES], ids=str)
@pytest.mark.parametrize("surface", SURFACES)
def test_each_role_gets_the_right_answer_on_each_surface(client, role, surface):
    if role != "anonymous":
        client.force_login(user_with_role(role))
    response = client.get(surface, follow=True)
    assert outcome(response) == EXPECTED[role][surface]


@pytest.mark.django_db
def test_a_refused_surface_sends_to_the_one_login_page_with_next(client):
    response = client.get("/dashboard/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/login/"
    assert response.context["next"] == "/dashboard/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES, ids=str)
def test_one_login_through_the_form_reaches_every_allowed_surface(client, role):
    user = user_with_role(role)
    response = client.post(reverse("login"), {"username": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302, "login with the email in any case works"
    if needs_second_factor(user):
        confirmed_device(user)
        assert outcome(client.get("/portal/", follow=True)) == CODE
        pass_second_factor(client, user)
    for surface, expected in EXPECTED[role].items():
        if expected == OK:
            assert outcome(client.get(surface, follow=True)) == OK, surface


@pytest.mark.django_db
def test_logging_out_anywhere_ends_the_session_everywhere(client):
    superuser = user_with_role("superuser")
    confirmed_device(superuser)
    client.post(reverse("login"), {"username": superuser.email, "password": PASSWORD})
    pass_second_factor(client, superuser)
    assert outcome(client.get("/cms/", follow=True)) == OK
    client.post(reverse("logout"))
    for surface in ("/portal/", "/cms/", "/dashboard/", "/admin/"):
        assert outcome(client.get(surface, follow=True)) == LOGIN, surface


@pytest.mark.django_db
@pytest.mark.parametrize(
    "framework_login",
    ["/admin/login/", "/cms/login/", "/dashboard/login/", "/shop/accounts/login/"],
)
def test_every_framework_login_page_forwards_to_the_one_login(client, framework_login):
    response = client.get(f"{framework_login}?next=/somewhere/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/somewhere/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "home"),
    [
        (None, "/portal/"),
        (roles.EDITOR, "/cms/"),
        (roles.PHOTOGRAPHER, "/admin/"),
        (roles.SHOP_MANAGER, "/dashboard/"),
    ],
    ids=str,
)
def test_login_without_next_lands_on_the_roles_own_surface(client, role, home):
    user = user_with_role(role)
    if needs_second_factor(user):
        confirmed_device(user)
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, follow=True
    )
    if needs_second_factor(user):
        # Staff first give the code, then go on where the login would have sent them.
        assert outcome(response) == CODE
        response = client.post(reverse("twofactor:verify"),
                               {"code": totp_code(user), "next": response.context["next"]},
                               follow=True)
    assert response.redirect_chain[-1][0] == home
