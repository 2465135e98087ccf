"""Campaigns written in the CMS (issue 21): the snippet's StreamField (text, image, button) is
rendered with the site's email look and sent to a segment by the Booker. Over real SMTP on
loopback, a subscriber receives it, unsubscribes with the mail client's one-click POST (no
login, no cookie) and the next campaign does not reach them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from booker import roles
from booker.crm import services as crm
from booker.marketing.models import Campaign, CampaignSend, Segment, SegmentCondition
from booker.models import MarketingConsent
from editorial.campaigns.models import CampaignContent
from editorial.campaigns.rendering import render
from tests.booker.mailbox import Mailbox
from tests.editorial.trees import picture
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
SITE = "https://studio.example.fr"


@pytest.fixture
def content() -> CampaignContent:
    return CampaignContent.objects.create(
        title="Printemps", subject="Les  séances du printemps",
        body=[
            {"type": "text", "value": '<p>Bonjour, <b>voici</b> <a href="/journal/">nos</a> '
                                      "offres.</p>"},
            {"type": "image", "value": {"image": picture("Fleurs").pk, "alt": "Des fleurs"}},
            {"type": "button", "value": {"label": "Réserver", "url": f"{SITE}/reserver/"}},
        ])


@pytest.fixture
def subscribers() -> Segment:
    segment = Segment.objects.create(name="Abonnés")
    SegmentCondition.objects.create(segment=segment, kind="newsletter_subscribers")
    return segment


def subscribe(email: str) -> None:
    crm.grant(email, MarketingConsent.Purpose.MARKETING, consent_text="oui",
              source=MarketingConsent.Source.STAFF)


def test_the_content_renders_as_an_email_with_absolute_links(content, settings):
    settings.SITE_URL = SITE
    rendered = render(content)
    assert rendered.subject == "Les séances du printemps"
    assert f'href="{SITE}/journal/"' in rendered.html and 'alt="Des fleurs"' in rendered.html
    assert re.search(r'src="https?://[^"]+\.(jpg|jpeg)"', rendered.html)
    assert '<p class="button"><a href="https://studio.example.fr/reserver/">Réserver</a>' in (
        rendered.html)
    assert "Bonjour, voici nos offres." in rendered.text and "Réserver : " in rendered.text


def test_an_editor_counts_the_segment_then_sends(content, subscribers,
                                                 django_capture_on_commit_callbacks):
    subscribe("a@example.test")
    editor = Client()
    editor.force_login(user_with_role(roles.EDITOR))
    url = f"/cms/snippets/editorial_campaigns/campaigncontent/send/{content.pk}/"
    page = editor.get(url, {"segment": subscribers.pk})
    assert page.status_code == 200 and "1 personne" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(url, {"segment": subscribers.pk, "confirm": "on"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.source == f"editorial_campaigns.campaigncontent:{content.pk}"
    [message] = mail.outbox
    assert message.subject == "Les séances du printemps" and message.to == ["a@example.test"]


def test_a_person_without_the_send_permission_cannot_send(content, subscribers):
    someone = Client()
    someone.force_login(user_with_role(roles.PHOTOGRAPHER, is_staff=True))
    url = f"/cms/snippets/editorial_campaigns/campaigncontent/send/{content.pk}/"
    response = someone.post(url, {"segment": subscribers.pk, "confirm": "on"})
    assert response.status_code in (302, 403) and not Campaign.objects.exists()


@pytest.mark.slow
def test_over_real_smtp_a_one_click_unsubscribe_stops_the_next_campaign(
        content, subscribers, settings, django_capture_on_commit_callbacks):
    from booker.marketing import services

    box = Mailbox().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", box.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.SITE_URL = SITE
        subscribe("anne@example.test")
        subscribe("paul@example.test")
        rendered = render(content)

        def send():
            with django_capture_on_commit_callbacks(execute=True):
                return services.create_campaign(
                    subscribers, name="Printemps", subject=rendered.subject,
                    body_html=rendered.html, body_text=rendered.text)

        send()
        received = {r.to[0]: r for r in box.new(2, timeout=30, settle=0.5)}
        assert set(received) == {"anne@example.test", "paul@example.test"}
        anne = received["anne@example.test"]
        assert anne.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "Réserver" in anne.part("html") and "Réserver" in anne.part("plain")
        link = re.search(r"<(https://[^>]+)>", anne.message["List-Unsubscribe"]).group(1)
        assert link.startswith(SITE)

        # The mail client's own "Unsubscribe" button: a POST with no cookie, no CSRF token.
        response = Client(enforce_csrf_checks=True).post(
            link.removeprefix(SITE), "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200

        second = send()
        assert [r.to for r in box.new(1, timeout=30, settle=1)] == [["paul@example.test"]]
        # Her consent is withdrawn: she left the segment, and no email of hers was even queued.
        assert list(CampaignSend.objects.filter(campaign=second).values_list("email", flat=True)
                    ) == ["paul@example.test"]
    finally:
        box.stop()
