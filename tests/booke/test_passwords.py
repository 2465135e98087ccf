"""Passwords (ASVS 2.1.1, 2.1.7): 12 characters at least, none from Django's list of common
passwords, said in French; the demo's password would pass if a person typed it."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from booker.demo import DEMO_LOGINS, DEMO_PASSWORD
from booker.models import User
from tests.factories import PASSWORD, UserFactory


def refusals(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def test_eleven_characters_are_too_short_in_french():
    assert refusals("k7#mZq2!vLp") == [
        "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."
    ]
    assert refusals("k7#mZq2!vLpw") == []


def test_a_common_password_is_refused_in_french_however_long():
    assert "Ce mot de passe est trop courant." in refusals("password1234")
    assert "Ce mot de passe est trop courant." in refusals("qwertyuiop123")


def test_the_other_rules_stay():
    assert "Ce mot de passe est entièrement numérique." in refusals("814503927361")
    anne = User(email="anne.martin@studio.test", first_name="Anne", last_name="Martin")
    assert any("trop semblable" in m for m in refusals("anne.martin@studio", anne))


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=lambda login: login.email)
def test_the_demo_password_would_be_accepted_if_a_person_typed_it(login):
    user = User(email=login.email, first_name=login.first_name, last_name=login.last_name)
    assert refusals(DEMO_PASSWORD, user) == []


def test_the_tests_password_follows_the_rules():
    assert refusals(PASSWORD) == []


@pytest.mark.django_db
def test_a_short_new_password_is_refused_at_reset(client):
    UserFactory(email="anne@studio.test")
    client.post(reverse("password_reset"), {"email": "anne@studio.test"})
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[0].body)
    set_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "short-pw-1", "new_password2": "short-pw-1"})
    assert response.status_code == 200
    assert "au minimum 12 caractères" in response.text


@pytest.mark.django_db
def test_a_short_password_is_refused_at_registration(client):
    response = client.post(
        reverse("customer:register"),
        {"email": "new@studio.test", "password1": "short-pw-1", "password2": "short-pw-1"},
    )
    assert response.status_code == 200
    assert "au minimum 12 caractères" in response.text
    assert not User.objects.filter(email="new@studio.test").exists()
