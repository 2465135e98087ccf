"""Rate limits (booker/throttle.py, settings.BOOKE_RATE_LIMITS): sign-in per IP and per
account, password reset per IP and per address, the named helper later views use."""

import re
import time

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from booker import throttle
from booker.auth import DEVICE_COOKIE
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_PAUSED = "Trop de tentatives de connexion"


def sign_in(client, email: str, password: str, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def right(client, **extra) -> int:
    """Anne's right password: the status code."""
    return sign_in(client, "anne@studio.test", PASSWORD, **extra).status_code


def fail(client, email: str, times: int, **extra) -> None:
    for _ in range(times):
        assert sign_in(client, email, "not the password", **extra).status_code == 200


def later(monkeypatch, seconds: int) -> None:
    """The clock django-ratelimit reads its windows from, moved forward."""
    now = time.time() + seconds
    monkeypatch.setattr("django_ratelimit.core.time.time", lambda: now)


# --- Sign-in -------------------------------------------------------------------------------


def test_the_declared_sign_in_limits():
    assert throttle.rate("login", "account") == "10/15m"
    assert throttle.rate("login", "ip") == "30/15m"


def test_a_few_mistakes_do_not_stop_the_right_password(client):
    UserFactory(email="anne@studio.test")
    fail(client, "anne@studio.test", throttle.allowed("login", "account") - 1)
    assert sign_in(client, "anne@studio.test", PASSWORD).status_code == 302


def test_failures_count_per_account_whatever_the_address_and_the_case(client):
    UserFactory(email="anne@studio.test")
    for n in range(throttle.allowed("login", "account")):
        sign_in(client, "Anne@Studio.TEST", "nope", REMOTE_ADDR=f"198.51.100.{n}")
    response = sign_in(client, "anne@studio.test", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert LOGIN_PAUSED in response.text
    assert "_auth_user_id" not in client.session


def test_failures_count_per_address_across_accounts(client):
    UserFactory(email="anne@studio.test")
    for n in range(throttle.allowed("login", "ip")):
        sign_in(client, f"guess{n}@studio.test", "nope", REMOTE_ADDR="198.51.100.1")
    assert right(client, REMOTE_ADDR="198.51.100.1") == 429
    # The same account from another address: not that address's pause.
    assert right(client, REMOTE_ADDR="198.51.100.2") == 302


def test_the_paused_page_shows_the_form_again_with_the_email_and_the_wait_in_french(client):
    UserFactory(email="anne@studio.test")
    fail(client, "anne@studio.test", throttle.allowed("login", "account"))
    response = sign_in(client, "anne@studio.test", PASSWORD)
    assert response.status_code == 429
    assert 'name="password"' in response.text
    assert 'value="anne@studio.test"' in response.text
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert re.search(r"réessayez dans \d+ minutes?, ou réinitialisez votre mot de passe",
                     response.text)


def test_the_pause_ends_with_its_window_it_is_never_a_lock(client, monkeypatch):
    UserFactory(email="anne@studio.test")
    for _ in range(50):
        sign_in(client, "anne@studio.test", "not the password")
    assert sign_in(client, "anne@studio.test", PASSWORD).status_code == 429
    later(monkeypatch, 15 * 60 + 1)
    assert sign_in(client, "anne@studio.test", PASSWORD).status_code == 302


def test_every_password_check_is_paused_not_only_the_login_page(client):
    """The backend refuses too: the shop's checkout gateway and any other form that calls
    authenticate() with the request."""
    UserFactory(email="anne@studio.test")
    fail(client, "anne@studio.test", throttle.allowed("login", "account"))
    request = RequestFactory().post("/shop/checkout/", REMOTE_ADDR="203.0.113.50")
    assert authenticate(request, username="anne@studio.test", password=PASSWORD) is None


def test_a_completed_password_reset_lifts_the_accounts_pause(client):
    UserFactory(email="anne@studio.test")
    fail(client, "anne@studio.test", throttle.allowed("login", "account"))
    client.post(reverse("password_reset"), {"email": "anne@studio.test"})
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[0].body)
    set_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    new = "a new long passphrase 2026"
    client.post(set_url, {"new_password1": new, "new_password2": new})
    assert sign_in(client, "anne@studio.test", new).status_code == 302


def test_the_address_is_the_deployments_client_ip_not_the_proxys(client, settings):
    """Behind one proxy (TRUSTED_PROXY_COUNT=1) every request has the proxy's REMOTE_ADDR:
    the limit follows X-Forwarded-For as booker.http.client_ip reads it."""
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="anne@studio.test")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(throttle.allowed("login", "ip")):
        sign_in(client, f"guess{n}@studio.test", "nope", HTTP_X_FORWARDED_FOR="198.51.100.1",
                **proxy)
    paused = sign_in(client, "anne@studio.test", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1",
                     **proxy)
    assert paused.status_code == 429
    other = sign_in(client, "anne@studio.test", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2",
                    **proxy)
    assert other.status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_limit_without_a_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    UserFactory(email="anne@studio.test")
    for n in range(throttle.allowed("login", "ip")):
        sign_in(client, f"guess{n}@studio.test", "nope", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    forged = sign_in(client, "anne@studio.test", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert forged.status_code == 429


def test_one_ipv6_network_counts_as_one_address(client):
    UserFactory(email="anne@studio.test")
    for n in range(throttle.allowed("login", "ip")):
        sign_in(client, f"guess{n}@studio.test", "nope", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
    paused = sign_in(client, "anne@studio.test", PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert paused.status_code == 429
    assert right(client, REMOTE_ADDR="2001:db8:1:3::1") == 302


def test_a_cache_outage_limits_nothing_and_is_no_error(client, monkeypatch):
    UserFactory(email="anne@studio.test")

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(throttle, "get_usage", down)
    fail(client, "anne@studio.test", 3)
    assert sign_in(client, "anne@studio.test", PASSWORD).status_code == 302


# --- Password reset ------------------------------------------------------------------------


def test_the_declared_reset_limits():
    assert throttle.rate("password_reset", "account") == "3/h"
    assert throttle.rate("password_reset", "ip") == "10/h"


def test_the_fourth_reset_of_an_hour_sends_nothing_and_looks_the_same(client, monkeypatch):
    UserFactory(email="anne@studio.test")
    answers = [client.post(reverse("password_reset"), {"email": "Anne@studio.test"}, follow=True)
               for _ in range(4)]
    assert len(mail.outbox) == 3
    assert {a.redirect_chain[-1][0] for a in answers} == {reverse("password_reset_done")}
    assert answers[3].content == answers[0].content
    later(monkeypatch, 3600 + 1)
    client.post(reverse("password_reset"), {"email": "anne@studio.test"})
    assert len(mail.outbox) == 4, "a new hour, a new email"


def test_an_unknown_address_is_answered_like_a_known_one_past_the_limit(client):
    UserFactory(email="anne@studio.test")
    known = [client.post(reverse("password_reset"), {"email": "anne@studio.test"})
             for _ in range(5)]
    unknown = [client.post(reverse("password_reset"), {"email": "nobody@studio.test"})
               for _ in range(5)]
    assert {(r.status_code, r["Location"]) for r in known + unknown} == {
        (302, reverse("password_reset_done"))
    }


def test_one_address_asking_for_many_accounts_is_told_to_wait(client):
    for n in range(throttle.allowed("password_reset", "ip")):
        client.post(reverse("password_reset"), {"email": f"person{n}@studio.test"})
    UserFactory(email="anne@studio.test")
    response = client.post(reverse("password_reset"), {"email": "anne@studio.test"})
    assert response.status_code == 429
    assert "Trop de tentatives en peu de temps" in response.text
    assert mail.outbox == []


# --- The helper for the views to come (invitation acceptance, gallery codes) ---------------


def test_every_named_limit_is_declared_in_one_settings_dict(settings):
    assert {"login", "password_reset", "invitation", "gallery_code", "comments", "contact",
            "newsletter"} <= set(settings.BOOKE_RATE_LIMITS)
    for name, scopes in settings.BOOKE_RATE_LIMITS.items():
        assert set(scopes) <= set(throttle.SCOPES), name
        for scope in scopes:
            assert throttle.allowed(name, scope) > 0


def _gallery_view():
    @throttle.limit("gallery_code", account=lambda request: request.POST.get("gallery"))
    def view(request):
        return HttpResponse("ok")

    return view


def _post(data, ip="198.51.100.1"):
    request = RequestFactory().post("/galerie/code/", data, REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    return request


def test_the_limit_decorator_answers_429_in_french_past_the_ip_limit():
    view = _gallery_view()
    for n in range(throttle.allowed("gallery_code", "ip")):
        assert view(_post({"gallery": f"g{n}"})).status_code == 200
    refused = view(_post({"gallery": "another"}))
    assert refused.status_code == 429
    assert "Trop de tentatives en peu de temps" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert view(_post({"gallery": "another"}, ip="198.51.100.2")).status_code == 200


def test_the_limit_decorator_counts_per_account_across_addresses():
    view = _gallery_view()
    for n in range(throttle.allowed("gallery_code", "account")):
        view(_post({"gallery": "wedding-42"}, ip=f"203.0.113.{n}"))
    assert view(_post({"gallery": "wedding-42"}, ip="192.0.2.1")).status_code == 429
    assert view(_post({"gallery": "wedding-43"}, ip="192.0.2.1")).status_code == 200


def test_check_and_record_count_only_what_the_caller_says():
    """For views that count failures only: checking counts nothing."""
    for _ in range(50):
        assert throttle.check("invitation", ip="198.51.100.1", account="inv-1") is None
    for _ in range(throttle.allowed("invitation", "account")):
        throttle.record("invitation", ip=f"198.51.100.{_}", account="inv-1")
    paused = throttle.check("invitation", ip="198.51.100.99", account="inv-1")
    assert paused is not None and paused.scope == "account"


# --- A stranger's failures never pause the owner's own devices -----------------------------


def test_a_stranger_cannot_keep_the_owner_out_of_their_account_on_a_known_device(client):
    UserFactory(email="anne@studio.test")
    owner = Client()
    assert sign_in(owner, "anne@studio.test", PASSWORD).status_code == 302
    assert DEVICE_COOKIE in owner.cookies
    owner.post(reverse("logout"))
    for n in range(40):  # the attacker, from many addresses
        sign_in(client, "anne@studio.test", "guess", REMOTE_ADDR=f"203.0.113.{n}")
    assert right(client, REMOTE_ADDR="198.51.100.77") == 429, "a new browser is paused"
    assert right(owner) == 302, "the owner's own browser is not"


def test_a_known_device_is_still_limited_on_its_own_failures():
    UserFactory(email="anne@studio.test")
    owner = Client()
    sign_in(owner, "anne@studio.test", PASSWORD)
    owner.post(reverse("logout"))
    for n in range(throttle.allowed("login", "account")):
        sign_in(owner, "anne@studio.test", "guess", REMOTE_ADDR=f"203.0.113.{n}")
    assert right(owner, REMOTE_ADDR="198.51.100.78") == 429


def test_a_device_cookie_of_another_account_or_forged_counts_for_nothing(client):
    UserFactory(email="anne@studio.test")
    UserFactory(email="bob@studio.test")
    bob = Client()
    sign_in(bob, "bob@studio.test", PASSWORD)
    bob.post(reverse("logout"))
    for n in range(throttle.allowed("login", "account")):
        sign_in(client, "anne@studio.test", "guess", REMOTE_ADDR=f"203.0.113.{n}")
    assert right(bob, REMOTE_ADDR="198.51.100.79") == 429
    forged = Client()
    forged.cookies[DEVICE_COOKIE] = "anything:at:all"
    assert right(forged, REMOTE_ADDR="198.51.100.80") == 429
