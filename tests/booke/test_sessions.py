"""Sessions (ASVS 3.2, 3.3): a new key at sign-in, every other device signed out by a password
change or reset, 30 minutes of inactivity for staff, 7 days at most for everyone; anonymous
pages untouched (they are served from the page cache)."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from wagtail.models import Page, Site

from booker import roles
from booker.session_limits import LAST_SEEN_AT, SIGNED_IN_AT, SessionLimitsMiddleware
from booker.twofactor.selectors import needs_second_factor
from editorial.models import HomePage
from tests.factories import PASSWORD, UserFactory, user_with_role
from tests.otp import confirmed_device, pass_second_factor

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase 2026"


def signed_in(user) -> Client:
    """Signed in through the login page, and past the second factor for back-office people."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    if needs_second_factor(user):
        confirmed_device(user)
        assert pass_second_factor(client, user).status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    response = client.get("/portal/")
    return response.status_code == 200


def age(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in (("SIGNED_IN_AT", SIGNED_IN_AT), ("LAST_SEEN_AT", LAST_SEEN_AT)):
        if key in seconds_ago:
            session[ago] = now - seconds_ago[key]
    session.save()


def test_the_session_key_changes_at_sign_in(client):
    user = UserFactory()
    session = client.session
    session["before"] = "anonymous visit"
    session.save()
    before = session.session_key
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_password_change_signs_out_the_other_devices_and_keeps_this_one():
    user = UserFactory()
    laptop, phone = signed_in(user), signed_in(user)
    response = laptop.post(
        reverse("customer:change-password"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_a_staff_password_change_in_the_admin_signs_out_the_other_devices():
    photographer = user_with_role(roles.PHOTOGRAPHER)
    office, home = signed_in(photographer), signed_in(photographer)
    response = office.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert office.get("/admin/").status_code == 200
    assert home.get("/admin/").status_code == 302


def test_a_password_reset_signs_out_every_session():
    user = UserFactory(email="anne@studio.test")
    phone = signed_in(user)
    stranger = Client()
    stranger.post(reverse("password_reset"), {"email": "anne@studio.test"})
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[0].body)
    set_url = stranger.get(link.group(1), follow=True).redirect_chain[-1][0]
    stranger.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert not is_signed_in(phone)
    assert not is_signed_in(stranger), "a reset does not sign in by itself"


def test_the_sign_in_starts_both_clocks():
    client = signed_in(UserFactory())
    now = time.time()
    assert now - client.session[SIGNED_IN_AT] < 60
    assert now - client.session[LAST_SEEN_AT] < 60


def test_staff_are_signed_out_after_thirty_minutes_without_a_request():
    assert settings.BOOKE_STAFF_IDLE_TIMEOUT == 30 * 60
    photographer = signed_in(user_with_role(roles.PHOTOGRAPHER))
    age(photographer, LAST_SEEN_AT=29 * 60)
    assert photographer.get("/admin/").status_code == 200
    age(photographer, LAST_SEEN_AT=31 * 60)
    response = photographer.get("/admin/", follow=True)
    assert response.request["PATH_INFO"] == reverse("login")
    assert "déconnecté après 30 minutes d'inactivité" in response.text.replace("&#x27;", "'")


def test_a_staff_members_requests_keep_their_session_alive():
    photographer = signed_in(user_with_role(roles.PHOTOGRAPHER))
    age(photographer, LAST_SEEN_AT=20 * 60)
    assert photographer.get("/admin/").status_code == 200
    assert time.time() - photographer.session[LAST_SEEN_AT] < 60, "the clock restarted"


def test_clients_have_no_idle_timeout():
    client = signed_in(UserFactory())
    age(client, LAST_SEEN_AT=3 * 3600)
    assert is_signed_in(client)


@pytest.mark.parametrize("role", [None, roles.PHOTOGRAPHER], ids=["client", "staff"])
def test_no_session_outlives_seven_days_from_its_sign_in(role):
    assert settings.SESSION_COOKIE_AGE == 7 * 24 * 3600
    client = signed_in(user_with_role(role))
    age(client, SIGNED_IN_AT=6 * 24 * 3600, LAST_SEEN_AT=0)
    assert is_signed_in(client)
    age(client, SIGNED_IN_AT=7 * 24 * 3600 + 60, LAST_SEEN_AT=0)
    assert not is_signed_in(client)


def test_an_anonymous_page_gets_no_cookie_nor_vary_and_stays_cacheable(client, page_cache):
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    first, second = client.get("/"), client.get("/")
    assert first.status_code == 200
    assert not first.cookies
    assert second["X-Cache"] == "hit"


def test_the_middleware_does_not_read_the_session_of_a_request_without_its_cookie():
    """Reading it would add `Vary: Cookie` (SessionMiddleware) to every anonymous page."""

    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"session.{name} read")

    request = RequestFactory().get("/")
    request.session = request.user = Untouchable()
    response = SessionLimitsMiddleware(lambda r: HttpResponse("ok"))(request)
    assert response.status_code == 200
