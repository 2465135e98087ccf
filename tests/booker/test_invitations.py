"""A new client's invitation: one email through the automation engine, a single-use link that
expires, can be revoked, and dies when a fresh one is sent; accepting it sets the password,
signs the client in and opens their session."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from booker import services
from booker.models import Invitation, Message, PhotoSession, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Un-Mot-De-Passe-Solide-42"


def link_in(message) -> str:
    found = re.search(r"https?://\S+/accounts/invitation/[^/\s]+/", message.body)
    assert found, message.body
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def invited(django_capture_on_commit_callbacks, photographer):
    with django_capture_on_commit_callbacks(execute=True):
        session = services.create_session_for_new_client(
            email="Nina@Example.test", first_name="Nina", last_name="Roux",
            title="Portrait de Nina", actor=photographer,
        )
    return session


def test_the_invitation_email_goes_out_once_through_the_engine_with_an_absolute_link(
        invited, settings):
    user = User.objects.get(email="nina@example.test")
    assert not user.has_usable_password()
    invitations = [m for m in mail.outbox if m.to == ["nina@example.test"]
                   and "/accounts/invitation/" in m.body]
    assert len(invitations) == 1
    message = invitations[0]
    assert message.extra_headers["X-Booke-Rule"] == "invitation"
    assert "Portrait de Nina" in message.body
    assert link_in(message).startswith(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/")
    assert Message.objects.filter(rule__key="invitation", recipient="nina@example.test",
                                  status="sent").count() == 1


def test_a_retried_send_renders_the_same_link(invited):
    from booker.automation.context import describe_subject
    from booker.events import Happened
    from booker.models import SessionEvent

    row = SessionEvent.objects.get(name="account.invited")
    first = describe_subject(Happened.of(row)).variables["invitation_url"]
    again = describe_subject(Happened.of(row)).variables["invitation_url"]
    assert first == again == services.invitation_url(Invitation.objects.get())


def test_accepting_sets_the_password_signs_in_and_opens_the_session(client, invited):
    url = path_of(link_in(mail.outbox[-1]))
    page = client.get(url)
    assert page.status_code == 200
    assert "Portrait de Nina" in page.content.decode()
    response = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:session", args=[invited.pk])
    user = User.objects.get(email="nina@example.test")
    assert user.check_password(PASSWORD)
    assert client.get(response["Location"]).status_code == 200  # signed in, their session


def test_the_link_works_once(client, invited):
    url = path_of(link_in(mail.outbox[-1]))
    client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()
    again = client.post(url, {"new_password1": "Autre-Mot-2-Passe!", "new_password2":
                              "Autre-Mot-2-Passe!"})
    assert "déjà été utilisée" in again.content.decode()
    assert User.objects.get(email="nina@example.test").check_password(PASSWORD)


def test_a_used_link_offers_a_password_reset_mailed_to_the_account_only(client, invited):
    url = path_of(link_in(mail.outbox[-1]))
    client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    client.logout()
    assert "Recevoir un nouveau lien" in client.get(url).content.decode()
    mail.outbox.clear()
    page = client.post(url, {"new_link": "1", "email": "attacker@example.test"})
    assert "nouveau mot de passe" in page.content.decode()
    assert [m.to for m in mail.outbox] == [["nina@example.test"]]
    assert "/accounts/password-reset/" in mail.outbox[0].body


def test_asking_for_new_links_is_throttled(client, invited, settings):
    url = path_of(link_in(mail.outbox[-1]))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    limit = int(settings.BOOKE_RATE_LIMITS["invitation"]["account"].split("/")[0])
    for _ in range(limit):
        assert client.post(url, {"new_link": "1"}).status_code == 200
    assert client.post(url, {"new_link": "1"}).status_code == 429


def test_django_password_validators_apply(client, invited):
    url = path_of(link_in(mail.outbox[-1]))
    response = client.post(url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert not User.objects.get(email="nina@example.test").has_usable_password()
    assert Invitation.objects.get().used_at is None


def test_an_expired_link_says_so_and_offers_a_new_one_sent_to_the_invited_address(
        client, invited, django_capture_on_commit_callbacks):
    url = path_of(link_in(mail.outbox[-1]))
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = client.get(url).content.decode()
    assert "expiré" in page and "Recevoir un nouveau lien" in page
    refused = client.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "expiré" in refused.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"new_link": "1", "email": "attacker@example.test"})
    assert "Un nouveau lien" in sent.content.decode()
    assert [m.to for m in mail.outbox] == [["nina@example.test"]]
    fresh = path_of(link_in(mail.outbox[0]))
    assert fresh != url
    assert client.get(fresh).status_code == 200
    assert "mot de passe" in client.get(fresh).content.decode().lower()


def test_a_revoked_link_is_dead_and_offers_no_new_link(client, invited):
    url = path_of(link_in(mail.outbox[-1]))
    services.revoke_invitation(Invitation.objects.get())
    page = client.get(url).content.decode()
    assert "annulé cette invitation" in page
    assert "Recevoir un nouveau lien" not in page
    mail.outbox.clear()
    client.post(url, {"new_link": "1"})
    assert mail.outbox == []


def test_resending_rotates_the_link(client, invited, django_capture_on_commit_callbacks,
                                    photographer):
    old = path_of(link_in(mail.outbox[-1]))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_invitation(Invitation.objects.get(), actor=photographer)
    new = path_of(link_in(mail.outbox[-1]))
    assert new != old
    assert "plus récente" in client.get(old).content.decode()
    assert client.post(new, {"new_password1": PASSWORD,
                             "new_password2": PASSWORD}).status_code == 302


def test_an_accepted_invitation_is_not_resent(invited):
    invitation = Invitation.objects.get()
    services.accept_invitation(services.invitation_url(invitation).rsplit("/", 2)[-2],
                               PASSWORD)
    with pytest.raises(services.StudioError):
        services.resend_invitation(invitation)


def test_a_tampered_link_is_not_valid(client, invited):
    url = path_of(link_in(mail.outbox[-1]))
    page = client.get(url[:-3] + "x/")
    assert page.status_code == 200 and "pas valide" in page.content.decode()


def test_an_old_email_sent_after_revocation_is_skipped(invited):
    from booker.automation.sender import deliver

    message = Message.objects.get(rule__key="invitation")
    services.revoke_invitation(Invitation.objects.get())
    Message.objects.filter(pk=message.pk).update(status="pending", due_at=timezone.now())
    mail.outbox.clear()
    assert deliver(message.pk) == "skipped"
    assert mail.outbox == []


def test_the_studio_books_a_session_for_a_new_client_from_the_add_form(
        studio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = studio.post(reverse("admin:booker_photosession_add"), {
            "title": "Mariage Durand", "new_first_name": "Léa", "new_last_name": "Durand",
            "new_email": "lea@example.test", "new_phone": "0600000000",
            "scheduled_at_0": "", "scheduled_at_1": "", "location": "", "notes": "",
        })
    assert response.status_code == 302, response.content.decode()[:3000]
    session = PhotoSession.objects.get(title="Mariage Durand")
    assert session.client.email == "lea@example.test" and session.client.phone
    assert Invitation.objects.get(user=session.client).session == session
    sent = [m for m in mail.outbox if m.to == ["lea@example.test"]]
    assert len(sent) == 1 and "Mariage Durand" in sent[0].body


def test_the_add_form_refuses_an_existing_client_and_a_new_one_together(studio):
    existing = UserFactory(email="deja@example.test")
    response = studio.post(reverse("admin:booker_photosession_add"), {
        "title": "Double", "client": existing.pk, "new_email": "autre@example.test",
        "scheduled_at_0": "", "scheduled_at_1": "",
    })
    assert response.status_code == 200
    assert not PhotoSession.objects.filter(title="Double").exists()
    assert not User.objects.filter(email="autre@example.test").exists()


def test_the_admin_resends_and_revokes_and_shows_the_status_in_french(
        studio, invited, django_capture_on_commit_callbacks):
    invitation = Invitation.objects.get()
    changelist = reverse("admin:booker_invitation_changelist")
    assert "en attente du client" in studio.get(changelist).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        studio.post(changelist, {"action": "resend", "_selected_action": [invitation.pk]})
    assert [m.to for m in mail.outbox] == [["nina@example.test"]]
    studio.post(changelist, {"action": "revoke", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    user_page = studio.get(reverse("admin:booker_user_change", args=[invitation.user_id]))
    assert "révoquée" in user_page.content.decode()


def test_the_session_add_form_offers_a_new_client(studio):
    page = studio.get(reverse("admin:booker_photosession_add")).content.decode()
    assert 'name="new_email"' in page and "nouveau client" in page


def test_an_invitation_is_dead_once_the_client_chose_a_password_another_way(client, invited):
    [message] = [m for m in mail.outbox if m.to == ["nina@example.test"] and
                 "invitation" in m.body]
    user = User.objects.get(email="nina@example.test")
    user.set_password("Chosen-Through-The-Reset-2026")
    user.save()
    client.post(path_of(link_in(message)), {"new_password1": PASSWORD,
                                            "new_password2": PASSWORD})
    user.refresh_from_db()
    assert user.check_password("Chosen-Through-The-Reset-2026")
