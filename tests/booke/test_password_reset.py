import re

import pytest
from django.core import mail
from django.urls import reverse

from booker import roles
from tests.factories import user_with_role


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, roles.EDITOR, roles.PHOTOGRAPHER], ids=str)
def test_password_reset_by_email_works_for_everyone_through_one_flow(client, role):
    user = user_with_role(role, email="anne@studio.test")
    response = client.post(reverse("password_reset"), {"email": "Anne@Studio.TEST"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anne@studio.test"]
    assert message.alternatives, "the email has an HTML part too"
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    new = "a new long passphrase 2026"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302

    assert client.login(username="anne@studio.test", password=new)
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.django_db
def test_an_unknown_email_gets_the_same_answer_and_no_mail(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@studio.test"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("url", ["/admin/password_reset/", "/shop/password-reset/"])
def test_framework_password_reset_pages_forward_to_ours(client, url):
    assert client.get(url)["Location"] == reverse("password_reset")


@pytest.mark.django_db
def test_an_invited_client_who_lost_the_invitation_gets_a_reset_link(client):
    from booker import services

    invited = services.invite_client(email="lea@client.test", first_name="Léa", last_name="Roy")
    assert not invited.has_usable_password()
    mail.outbox.clear()

    response = client.post(reverse("password_reset"), {"email": "lea@client.test"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["lea@client.test"]]


@pytest.mark.django_db
def test_the_reset_link_is_on_the_sites_public_address_not_the_requests_host(client, settings):
    settings.SITE_URL = "https://studio.example.fr"
    user_with_role(None, email="anne@studio.test")
    client.post(reverse("password_reset"), {"email": "anne@studio.test"},
                HTTP_HOST="localhost")
    assert "https://studio.example.fr/accounts/password-reset/" in mail.outbox[0].body
