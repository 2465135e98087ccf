"""A client the studio booked opens their invitation on a phone: the email's link, a password of
their choosing, and their session's page, signed in (issue 16)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

PASSWORD = "Mes-Photos-De-Mariage-2026"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_client_opens_the_invitation_on_a_phone_and_lands_on_their_session(
    phone, serial_live_server, tmp_path
):
    from booker import roles, services
    from booker.models import User
    from tests.factories import user_with_role

    services.ensure_defaults()  # the invitation rule (made after migrate; kept if there)
    photographer = user_with_role(roles.PHOTOGRAPHER)
    session = services.create_session_for_new_client(
        email="camille@example.test", first_name="Camille", last_name="Petit",
        title="Mariage de Camille", actor=photographer,
    )

    # The engine sent one invitation, naming the session, with an absolute link.
    [email] = [m for m in mail.outbox if m.to == ["camille@example.test"]]
    assert "Mariage de Camille" in email.body
    link = re.search(r"https?://\S+(/accounts/invitation/\S+/)", email.body).group(1)

    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("Bienvenue, Camille")
    expect(phone.locator("main")).to_contain_text("Mariage de Camille")
    phone.locator("#id_new_password1").fill(PASSWORD)
    phone.locator("#id_new_password2").fill(PASSWORD)
    phone.screenshot(path=str(tmp_path / "invitation-phone.png"), full_page=True)
    phone.get_by_role("button", name="Ouvrir mon espace").click()

    expect(phone).to_have_url(re.compile(rf"/portal/sessions/{session.pk}/$"))
    expect(phone.locator("h1")).to_have_text("Mariage de Camille")
    expect(phone.locator(".messages")).to_contain_text("Bienvenue")
    # Nothing sticks out of a phone's width.
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    phone.screenshot(path=str(tmp_path / "session-phone.png"), full_page=True)
    assert User.objects.get(email="camille@example.test").check_password(PASSWORD)

    # "Mon compte" is one tap away, and fits the phone too.
    phone.get_by_role("link", name="Mes séances photo").click()
    phone.get_by_role("link", name="Mon compte").first.click()
    expect(phone.locator("h1")).to_have_text("Mon compte")
    expect(phone.locator("#id_first_name")).to_have_value("Camille")
    phone.screenshot(path=str(tmp_path / "account-phone.png"), full_page=True)

    # The link worked once: opened again, it says so.
    phone.goto(link)
    expect(phone.locator("main")).to_contain_text("déjà été utilisée")
    assert (tmp_path / "invitation-phone.png").stat().st_size > 0
