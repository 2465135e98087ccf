"""The CRM's services: leads from the site, and the newsletter's double opt-in kept as proof."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from booker import roles, services, throttle
from booker.crm import services as crm
from booker.models import Lead, MarketingConsent
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

Status = MarketingConsent.Status
CONSENT = "J'accepte de recevoir la lettre du studio."


def ask(email="anne@example.test", ip="203.0.113.7", **kwargs) -> MarketingConsent:
    return services.request_newsletter_consent(
        email,
        consent_text=CONSENT,
        confirm_link=lambda token: f"https://booke.test/newsletter/confirm/{token}/",
        unsubscribe_link=lambda token: f"https://booke.test/newsletter/unsubscribe/{token}/",
        ip=ip,
        **kwargs,
    )


def link(message, kind: str) -> str:
    return re.search(rf"https://booke\.test/newsletter/{kind}/([^/\s]+)/", message.body).group(1)


def later(consent: MarketingConsent, **delta) -> None:
    """As if the last email had been sent that long ago."""
    MarketingConsent.objects.filter(pk=consent.pk).update(
        last_sent_at=timezone.now() - timedelta(**delta)
    )


# --- Leads ---------------------------------------------------------------------------------


def test_lead_is_recorded_and_linked_to_the_account_with_that_email():
    client = UserFactory(email="claire@example.test")
    lead = services.record_lead(
        name="Claire Dubois", email="  Claire@Example.TEST ", phone="06 12 34 56 78",
        subject="Mariage", message="Un mariage en juin.",
        source="Formulaire de contact — Contact", source_url="https://booke.test/contact/",
    )
    lead.refresh_from_db()
    assert lead.user == client
    assert lead.email == "claire@example.test"
    assert lead.status == Lead.Status.NEW
    assert (lead.subject, lead.source) == ("Mariage", "Formulaire de contact — Contact")


def test_lead_from_an_unknown_address_has_no_account():
    lead = services.record_lead(name="Paul", email="paul@example.test", message="Bonjour")
    assert lead.user is None


# --- Newsletter consent ----------------------------------------------------------------------


def test_request_is_pending_and_emails_the_confirm_and_unsubscribe_links():
    consent = ask()
    assert consent.status == Status.PENDING
    assert consent.consent_text == CONSENT
    (message,) = mail.outbox
    assert message.to == ["anne@example.test"]
    assert link(message, "confirm") and link(message, "unsubscribe")
    assert "unsubscribe" in message.extra_headers["List-Unsubscribe"]


def test_consent_keeps_the_text_and_a_hashed_ip_but_never_the_token_itself():
    consent = ask(ip="203.0.113.7")
    token = link(mail.outbox[0], "confirm")
    assert consent.ip_hash and "203.0.113.7" not in consent.ip_hash
    assert consent.token_hash and token not in consent.token_hash
    assert consent.requested_at and consent.confirmed_at is None


def test_confirm_link_confirms_and_unsubscribe_link_withdraws():
    ask()
    message = mail.outbox[0]
    consent = services.confirm_consent(link(message, "confirm"))
    assert consent.status == Status.CONFIRMED and consent.confirmed_at
    consent = services.withdraw_consent(link(message, "unsubscribe"))
    assert consent.status == Status.WITHDRAWN and consent.withdrawn_at
    # Once withdrawn, the old confirmation link cannot bring the consent back.
    with pytest.raises(services.InvalidToken):
        services.confirm_consent(link(message, "confirm"))


def test_confirming_twice_is_harmless():
    ask()
    token = link(mail.outbox[0], "confirm")
    first = services.confirm_consent(token)
    assert services.confirm_consent(token).confirmed_at == first.confirmed_at


def test_a_wrong_confirmation_token_is_refused():
    ask()
    with pytest.raises(services.InvalidToken):
        services.confirm_consent("not-a-token")
    with pytest.raises(services.InvalidToken):
        services.confirm_consent("")
    assert MarketingConsent.objects.get().status == Status.PENDING


def test_an_expired_confirmation_token_is_refused():
    consent = ask()
    later(consent, days=crm.CONFIRMATION_DAYS, minutes=1)
    with pytest.raises(services.InvalidToken):
        services.confirm_consent(link(mail.outbox[0], "confirm"))
    assert MarketingConsent.objects.get().status == Status.PENDING


def test_a_tampered_unsubscribe_token_is_refused():
    ask()
    token = link(mail.outbox[0], "unsubscribe")
    with pytest.raises(services.InvalidToken):
        services.withdraw_consent(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert MarketingConsent.objects.get().status == Status.PENDING


def test_asking_again_at_once_reuses_the_consent_and_sends_no_second_email():
    first = ask()
    again = ask(email="ANNE@example.test")
    assert again.pk == first.pk
    assert MarketingConsent.objects.count() == 1
    assert len(mail.outbox) == 1


def test_asking_again_later_sends_a_fresh_link_and_the_old_one_dies():
    consent = ask()
    later(consent, minutes=11)
    ask()
    assert MarketingConsent.objects.count() == 1
    old, new = mail.outbox
    with pytest.raises(services.InvalidToken):
        services.confirm_consent(link(old, "confirm"))
    assert services.confirm_consent(link(new, "confirm")).status == Status.CONFIRMED


def test_asking_when_already_subscribed_keeps_the_consent_and_says_so_by_email():
    consent = ask()
    services.confirm_consent(link(mail.outbox[0], "confirm"))
    later(consent, minutes=11)
    again = ask()
    assert again.pk == consent.pk and again.status == Status.CONFIRMED
    note = mail.outbox[1]
    assert "confirm/" not in note.body and link(note, "unsubscribe")


def test_asking_after_withdrawal_makes_a_new_consent_and_keeps_the_old_proof():
    ask()
    services.withdraw_consent(link(mail.outbox[0], "unsubscribe"))
    ask()
    assert list(MarketingConsent.objects.order_by("pk").values_list("status", flat=True)) == [
        Status.WITHDRAWN, Status.PENDING,
    ]


def test_too_many_requests_from_one_address_are_refused():
    assert throttle.rate("newsletter", "ip") == "5/h"
    limit = throttle.allowed("newsletter", "ip")
    for n in range(limit):
        ask(email=f"person{n}@example.test", ip="198.51.100.9")
    with pytest.raises(services.TooManyRequests):
        ask(email="one-more@example.test", ip="198.51.100.9")
    ask(email="someone-else@example.test", ip="198.51.100.10")  # another address is not blocked


# --- Back office ---------------------------------------------------------------------------


def test_photographers_follow_leads_and_may_only_read_consents(client):
    photographer = user_with_role(roles.PHOTOGRAPHER)
    assert photographer.has_perms(["booker.view_lead", "booker.change_lead",
                                   "booker.view_marketingconsent"])
    assert not photographer.has_perm("booker.change_marketingconsent")
    services.record_lead(name="Claire", email="claire@example.test", source="Formulaire")
    ask()
    client.force_login(photographer)
    leads = client.get("/admin/booker/lead/?status__exact=new&q=claire")
    assert leads.status_code == 200 and "claire@example.test" in leads.text
    consent = MarketingConsent.objects.get()
    page = client.get(f"/admin/booker/marketingconsent/{consent.pk}/change/")
    assert page.status_code == 200 and CONSENT in page.text.replace("&#x27;", "'")
    assert 'name="_save"' not in page.text  # evidence: nothing to save
