"""Issue 14, finding 5: nothing slowed down password guessing nor reset mail-bombing."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_two_hundred_wrong_passwords_then_the_right_one_is_refused_while_throttled(client):
    UserFactory(email="anne@studio.test")
    for _ in range(200):
        client.post(reverse("login"), {"username": "anne@studio.test", "password": "guess"})
    response = client.post(reverse("login"), {"username": "anne@studio.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives de connexion" in response.text


def test_twelve_password_resets_in_a_row_send_at_most_three_emails(client):
    UserFactory(email="anne@studio.test")
    for _ in range(12):
        response = client.post(reverse("password_reset"), {"email": "anne@studio.test"})
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) <= 3
