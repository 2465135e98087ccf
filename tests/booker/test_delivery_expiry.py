"""The downloads of a delivery close at `Delivery.expires_at` (issue #16): the client is told
until when, gets a clear 410 afterwards, and the studio can push the date back, which takes
the pending reminder "before the downloads close" along."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from booker import services
from booker.automation.models import Message, Rule
from booker.events import Event
from booker.models import Delivery, FinalPhoto, SessionEvent
from tests.booker.factories_studio import delivered_session, proofing_session

pytestmark = pytest.mark.django_db


def close_downloads(session) -> None:
    Delivery.objects.filter(session=session).update(
        expires_at=timezone.now() - timedelta(hours=1))


def test_a_delivery_is_open_for_the_configured_days_and_the_portal_says_until_when(client):
    session, _ = delivered_session(1)
    expires = session.delivery.expires_at
    expected = session.delivery.delivered_at + timedelta(days=settings.BOOKER_DOWNLOAD_DAYS)
    assert abs(expires - expected) < timedelta(seconds=5)
    client.force_login(session.client)
    page = client.get(reverse("portal:session", args=[session.pk]))
    assert "Téléchargements ouverts jusqu’au" in page.content.decode()


def test_after_the_closing_the_client_gets_a_clear_410_and_the_portal_says_so(client):
    session, _ = delivered_session(1)
    final = FinalPhoto.objects.filter(job__session=session).first()
    close_downloads(session)
    client.force_login(session.client)
    for url in (reverse("portal:final-download", args=[final.pk]),
                reverse("portal:delivery-zip", args=[session.pk])):
        response = client.get(url)
        assert response.status_code == 410
        text = response.content.decode()
        assert "Téléchargements fermés" in text
        assert "Contactez le studio" in text
    assert not session.delivery.downloads.exists()  # nothing was served, nothing logged
    page = client.get(reverse("portal:session", args=[session.pk]))
    assert "Téléchargements fermés le" in page.content.decode()
    assert reverse("portal:delivery-zip", args=[session.pk]) not in page.content.decode()


def test_the_studio_still_downloads_after_the_closing(client, photographer):
    session, _ = delivered_session(1)
    final = FinalPhoto.objects.filter(job__session=session).first()
    close_downloads(session)
    client.force_login(photographer)
    assert client.get(reverse("portal:final-download", args=[final.pk])).status_code == 200


def test_extending_reopens_the_downloads_and_records_the_event(client, photographer):
    session, _ = delivered_session(1)
    final = FinalPhoto.objects.filter(job__session=session).first()
    close_downloads(session)
    delivery = services.extend_downloads(session, actor=photographer)
    assert delivery.expires_at > timezone.now() + timedelta(days=29)
    event = SessionEvent.objects.filter(session=session, name=Event.DELIVERY_EXTENDED).get()
    assert event.actor == photographer
    assert event.payload["expires_at"] == delivery.expires_at.isoformat()
    client.force_login(session.client)
    assert client.get(reverse("portal:final-download", args=[final.pk])).status_code == 200


def test_an_undelivered_session_cannot_be_extended():
    session = proofing_session(1)
    with pytest.raises(services.StudioError):
        services.extend_downloads(session, actor=None)


def test_extending_re_times_the_pending_reminder_before_the_closing(
        django_capture_on_commit_callbacks, photographer):
    with django_capture_on_commit_callbacks(execute=True):
        session, _ = delivered_session(1)
    rule = Rule.objects.get(key="delivery-expiring")
    reminder = Message.objects.get(session=session, rule=rule)
    assert reminder.status == Message.Status.PENDING
    assert reminder.due_at == session.delivery.expires_at - rule.delay

    new_closing = session.delivery.expires_at + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        services.extend_downloads(session, actor=photographer, until=new_closing)
    reminder.refresh_from_db()
    assert reminder.due_at == new_closing - rule.delay
    assert reminder.status == Message.Status.PENDING


def test_the_studio_page_extends_by_30_days_or_to_a_date(studio, photographer):
    session, _ = delivered_session(1)
    before = session.delivery.expires_at
    url = reverse("admin:booker_photosession_step", args=[session.pk, "extend"])
    page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    assert "Prolonger de 30 jours" in page.content.decode()
    assert "Téléchargements ouverts jusqu’au" in page.content.decode()
    studio.post(url)
    session.delivery.refresh_from_db()
    assert session.delivery.expires_at == before + timedelta(days=30)
    day = (timezone.localdate() + timedelta(days=200)).isoformat()
    response = studio.post(url, {"until": day}, follow=True)
    session.delivery.refresh_from_db()
    assert timezone.localtime(session.delivery.expires_at).date().isoformat() == day
    assert "Les téléchargements restent ouverts jusqu’au" in response.content.decode()
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    refused = studio.post(url, {"until": past}, follow=True)
    assert "doit être dans le futur" in refused.content.decode()
