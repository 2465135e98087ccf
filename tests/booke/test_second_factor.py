"""A second factor for everyone who reaches a back office (issue 14, finding 8): TOTP with
single-use recovery codes, asked after the one password login, before any back office."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from booker import roles
from booker.twofactor import services
from booker.twofactor.selectors import needs_second_factor
from tests.factories import PASSWORD, UserFactory, user_with_role
from tests.otp import code_for, confirmed_device, pass_second_factor, totp_code

pytestmark = pytest.mark.django_db

ENROL, VERIFY = "/accounts/2fa/enrol/", "/accounts/2fa/verify/"


def log_in(client, user, next_url: str = "/admin/"):
    """The one password login, then follow where the site sends the person."""
    return client.post(
        f"{reverse('login')}?next={next_url}",
        {"username": user.email, "password": PASSWORD, "next": next_url},
        follow=True,
    )


def landed(response) -> str:
    return response.request["PATH_INFO"]


def wrong_code(user) -> str:
    """Not the code the person's app (set up or being set up) shows now."""
    right = code_for(TOTPDevice.objects.filter(user=user).order_by("-confirmed", "pk").first())
    return f"{(int(right) + 1) % 1_000_000:06d}"


# --- Who is asked ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, False), (roles.PHOTOGRAPHER, True), (roles.RETOUCHER, True), (roles.EDITOR, True),
     (roles.SHOP_MANAGER, True), ("superuser", True)],
    ids=str,
)
def test_everyone_who_can_reach_a_back_office_needs_a_second_factor_and_clients_do_not(
    role, expected
):
    assert needs_second_factor(user_with_role(role)) is expected


def test_a_client_is_never_asked_for_a_code(client):
    lea = UserFactory()
    response = log_in(client, lea, "/portal/")
    assert landed(response) == "/portal/"
    assert client.get("/portal/").status_code == 200
    # Even sent to the code page, a client goes straight on.
    response = client.get(f"{VERIFY}?next=/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert not TOTPDevice.objects.filter(user=lea).exists()


# --- Enrolment ------------------------------------------------------------------------------


def test_staff_without_a_device_is_sent_to_enrol_with_the_qr_code_and_the_key_in_groups(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    response = log_in(client, photographer, "/admin/booker/photosession/")
    assert landed(response) == ENROL
    assert response.context["next"] == "/admin/booker/photosession/"
    html = response.content.decode()
    assert "Activer la double authentification" in html
    assert '<svg viewBox="0 0' in html and 'class="otp-qr"' in html
    device = TOTPDevice.objects.get(user=photographer, confirmed=False)
    groups = response.context["secret_groups"]
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert "".join(groups) in device.config_url
    assert "issuer=Book%C3%A9" in device.config_url
    # Nothing in the back office yet.
    assert client.get("/admin/").status_code == 302


def test_the_enrolment_page_has_no_inline_script_nor_style(client):
    response = log_in(client, user_with_role(roles.PHOTOGRAPHER))
    html = response.content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_enrolment_confirmed_with_the_apps_code_shows_ten_recovery_codes_then_the_admin(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    log_in(client, photographer, "/admin/")
    device = TOTPDevice.objects.get(user=photographer)
    response = client.post(ENROL, {"code": code_for(device), "next": "/admin/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    html = response.content.decode()
    assert "Vos codes de secours" in html
    assert f"{codes[0][:4]}-{codes[0][4:]}" in html
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    # Shown once: the page of the second factor says how many are left, not which.
    page = client.get(reverse("twofactor:manage")).content.decode()
    assert "10 codes de secours restants" in page
    assert codes[0] not in page


def test_a_wrong_code_does_not_confirm_the_enrolment(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    log_in(client, photographer)
    response = client.post(ENROL, {"code": wrong_code(photographer)})
    assert response.status_code == 200
    assert "Ce code n’est pas le bon" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=photographer, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_someone_with_an_app_set_up_cannot_enrol_another_with_the_password_alone(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    response = client.get(f"{ENROL}?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert TOTPDevice.objects.filter(user=photographer).count() == 1


# --- The code after the password ------------------------------------------------------------


def test_staff_with_an_app_is_asked_for_the_code_keeping_next(client):
    retoucher = user_with_role(roles.RETOUCHER)
    confirmed_device(retoucher)
    response = log_in(client, retoucher, "/admin/booker/retouchjob/")
    assert landed(response) == VERIFY
    assert response.context["next"] == "/admin/booker/retouchjob/"
    assert "Votre code" in response.content.decode()


def test_a_wrong_code_is_refused_and_the_admin_stays_closed(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    response = client.post(VERIFY, {"code": wrong_code(photographer), "next": "/admin/"})
    assert response.status_code == 200
    assert "Ce code n’est pas le bon" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_right_code_opens_the_page_asked_for(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer, "/admin/booker/photosession/")
    response = pass_second_factor(client, photographer, "/admin/booker/photosession/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/booker/photosession/"
    assert client.get("/admin/booker/photosession/").status_code == 200


def test_the_code_step_gives_a_new_session_key(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    before = client.cookies["sessionid"].value
    pass_second_factor(client, photographer)
    assert client.cookies["sessionid"].value != before


def test_a_code_is_accepted_once(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    device = confirmed_device(photographer)
    code = code_for(device)
    log_in(client, photographer)
    client.post(VERIFY, {"code": code})
    client.post(reverse("logout"))
    log_in(client, photographer)
    response = client.post(VERIFY, {"code": code, "next": "/admin/"})
    assert response.status_code == 200, "a code seen once is not taken again"


def test_a_recovery_code_opens_once(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    codes = services.new_recovery_codes(photographer)
    log_in(client, photographer)
    typed = f"{codes[3][:4].upper()}-{codes[3][4:].upper()}"  # as copied, in capitals
    response = client.post(VERIFY, {"code": typed, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    client.post(reverse("logout"))
    log_in(client, photographer)
    response = client.post(VERIFY, {"code": typed, "next": "/admin/"})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302
    assert StaticDevice.objects.get(user=photographer).token_set.count() == 9


BACK_OFFICE_PAGES = [
    (roles.PHOTOGRAPHER, "/admin/"),
    (roles.PHOTOGRAPHER, "/dashboard/"),
    (roles.RETOUCHER, "/admin/booker/retouchjob/"),
    (roles.EDITOR, "/cms/"),
    (roles.EDITOR, "/cms/pages/"),
    (roles.SHOP_MANAGER, "/dashboard/"),
    (roles.SHOP_MANAGER, "/dashboard/orders/"),
    ("superuser", "/admin/auth/group/"),
    ("superuser", "/cms/"),
    ("superuser", "/dashboard/"),
]


@pytest.mark.parametrize(("role", "page"), BACK_OFFICE_PAGES, ids=str)
def test_every_back_office_waits_for_the_code_then_opens(client, role, page):
    person = user_with_role(role)
    confirmed_device(person)
    response = log_in(client, person, page)
    assert landed(response) == VERIFY, "the password alone opens no back office"
    assert client.get(page).status_code == 302
    pass_second_factor(client, person, page)
    assert client.get(page, follow=True).request["PATH_INFO"] == page
    assert client.get(page, follow=True).status_code == 200


@pytest.mark.parametrize(
    "page",
    ["/", "/portal/", "/shop/catalogue/", "/after-login/", "/portal/photos/1/proof.jpg",
     "/dashboard/orders/100001/paiement/"],
)
def test_before_the_code_staff_reach_nothing_else_either(client, page):
    """Staff powers open views outside the three prefixes (a retoucher's files under /portal/,
    the dashboard's payment actions): the whole site waits for the code."""
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")


def test_a_verified_session_is_not_asked_again(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    pass_second_factor(client, photographer)
    for page in ("/admin/", "/dashboard/", "/admin/booker/photosession/", "/portal/", "/admin/"):
        assert client.get(page).status_code == 200, page


def test_logging_out_ends_the_second_factor_too(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    pass_second_factor(client, photographer)
    client.post(reverse("logout"))
    response = log_in(client, photographer)
    assert landed(response) == VERIFY


def test_force_login_in_tests_gives_a_session_past_the_second_factor(client):
    client.force_login(user_with_role(roles.EDITOR))
    assert client.get("/cms/").status_code == 200


# --- Throttling -----------------------------------------------------------------------------


def test_the_sixth_code_in_five_minutes_is_refused_even_if_right(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off is tested below
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    for _ in range(5):
        assert client.post(VERIFY, {"code": wrong_code(photographer)}).status_code == 200
    response = client.post(VERIFY, {"code": totp_code(photographer), "next": "/admin/"})
    assert response.status_code == 429
    assert "Trop d’essais" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_right_after_a_wrong_code_the_device_waits_before_taking_another(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    confirmed_device(photographer)
    log_in(client, photographer)
    client.post(VERIFY, {"code": wrong_code(photographer)})
    response = client.post(VERIFY, {"code": totp_code(photographer), "next": "/admin/"})
    assert response.status_code == 200
    assert "Trop de codes erronés : attendez" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert TOTPDevice.objects.get(user=photographer).throttling_failure_count == 1


# --- Recovery codes and reset ---------------------------------------------------------------


def test_new_recovery_codes_take_a_code_and_replace_the_old_ones(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    photographer = user_with_role(roles.PHOTOGRAPHER)
    client.force_login(photographer)
    old = services.new_recovery_codes(photographer)
    response = client.post(reverse("twofactor:manage"), {"code": "000000"})
    assert response.status_code == 200 and "codes" not in response.context
    response = client.post(reverse("twofactor:manage"), {"code": totp_code(photographer)})
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticDevice.objects.get(user=photographer).token_set.count() == 10


def reset_action(client, *users):
    return client.post(
        reverse("admin:booker_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_a_superuser_resets_a_staff_members_second_factor_who_enrols_again(client):
    retoucher = user_with_role(roles.RETOUCHER)
    confirmed_device(retoucher)
    services.new_recovery_codes(retoucher)
    client.force_login(user_with_role("superuser"))
    response = reset_action(client, retoucher)
    assert "configurera à nouveau sa double authentification" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=retoucher).exists()
    assert not StaticDevice.objects.filter(user=retoucher).exists()

    client.post(reverse("logout"))
    assert landed(log_in(client, retoucher)) == ENROL


def test_a_reset_ends_the_verified_sessions_of_that_person():
    from django.test import Client

    retoucher = user_with_role(roles.RETOUCHER)
    theirs = Client()
    theirs.force_login(retoucher)
    assert theirs.get("/admin/").status_code == 200
    services.reset_second_factor(user_with_role("superuser"), retoucher)
    response = theirs.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)


@pytest.mark.parametrize("role", [roles.PHOTOGRAPHER, roles.SHOP_MANAGER], ids=str)
def test_no_staff_role_can_reset_someone_elses_second_factor(client, role):
    colleague = user_with_role(roles.RETOUCHER)
    device = confirmed_device(colleague)
    staff = user_with_role(role)
    # Even with the right to change users (finding 1 gave it to photographers).
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client.force_login(staff)
    page = client.get(reverse("admin:booker_user_changelist"))
    if page.status_code == 200:
        assert "reset_second_factor" not in page.content.decode()
    reset_action(client, colleague)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(staff, colleague)


def test_the_devices_secrets_are_not_in_the_admin(client):
    client.force_login(user_with_role("superuser"))
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
