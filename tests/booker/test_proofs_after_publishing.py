"""More rushes while the client chooses (issue 19): a second card after publication joins the
client's gallery, the client is told once per batch, and nothing is added once the selection
is submitted (the photographer reopens it first)."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booker import selectors, services
from booker.automation.defaults import ensure_defaults
from booker.automation.models import EmailTemplate, Message, Rule
from booker.events import Event
from booker.intake.services import announce_new_proofs, announce_settled_proofs
from booker.models import PhotoSession, Rush, RushUpload, SessionEvent
from tests.booker.factories_studio import jpeg, proofing_session, submitted_session
from tests.factories import UserFactory

Status = PhotoSession.Status
Action = selectors.Action
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def defaults(db):
    Message.objects.all().delete()
    Rule.objects.all().delete()
    EmailTemplate.objects.all().delete()
    ensure_defaults()


def upload(client: Client, session: PhotoSession, name: str, data: bytes):
    """The browser's whole path for one small file: start, one chunk, complete."""
    base = reverse("admin:booker_photosession_uploads", args=[session.pk])
    opened = client.post(base, json.dumps({"filename": name, "size": len(data),
                                            "sha256": hashlib.sha256(data).hexdigest()}),
                         content_type="application/json")
    if opened.status_code != 201:
        return opened
    pk = opened.json()["upload"]
    client.put(f"{base}{pk}/chunk/?offset=0", data, content_type="application/octet-stream")
    return client.post(f"{base}{pk}/complete/", "{}", content_type="application/json")


def settled() -> timezone.datetime:
    """A moment after the batch has been quiet long enough."""
    return timezone.now() + timedelta(minutes=10)


def test_rushes_uploaded_after_publishing_reach_the_client_s_gallery(
        studio, django_capture_on_commit_callbacks):
    client = UserFactory()
    session = proofing_session(2, client=client)
    with django_capture_on_commit_callbacks(execute=True):
        done = upload(studio, session, "IMG_0100.CR2", jpeg(100))
    assert done.status_code == 201
    rush = Rush.objects.get(original_filename="IMG_0100.CR2")
    assert rush.ingest_status == Rush.Ingest.READY  # the ingest ran (synchronously here)
    session.refresh_from_db()
    assert session.status == Status.PROOFING  # nothing moved: the client is still choosing
    client_page = Client()
    client_page.force_login(client)
    gallery = client_page.get(reverse("portal:session", args=[session.pk]))
    assert gallery.status_code == 200
    assert reverse("portal:rush-thumb", args=[rush.pk]) in gallery.content.decode()
    # and the client may pick it
    services.set_pick(session, rush.pk, True, user=client)


def test_a_batch_of_new_proofs_is_announced_once_with_one_email(
        studio, django_capture_on_commit_callbacks):
    client = UserFactory(email="claire@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        session = proofing_session(2, client=client)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            assert upload(studio, session, f"IMG_02{i:02}.CR2", jpeg(200 + i)).status_code == 201
    # Just uploaded: the card may still be coming in, nothing is said yet.
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_settled_proofs() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert announce_settled_proofs(now=settled()) == 1
        assert announce_settled_proofs(now=settled()) == 0  # a second sweep: said already
    event = SessionEvent.objects.get(session=session, name=Event.PROOFS_ADDED)
    assert event.payload["proofs"] == 5 and len(event.payload["rushes"]) == 5
    assert [m.subject for m in mail.outbox if "claire@example.test" in m.to] == [
        "De nouvelles photos vous attendent"]
    assert "5 nouvelles épreuves" in mail.outbox[-1].body
    assert Message.objects.filter(session=session, rule__key="proofs-added").count() == 1

    # A later batch is a new announcement, of its own photos only.
    with django_capture_on_commit_callbacks(execute=True):
        upload(studio, session, "IMG_0300.CR2", jpeg(300))
    with django_capture_on_commit_callbacks(execute=True):
        announce_settled_proofs(now=settled())
    latest = SessionEvent.objects.filter(session=session, name=Event.PROOFS_ADDED).last()
    assert latest.payload["proofs"] == 1


def test_nothing_is_announced_while_a_rush_or_an_upload_is_in_flight(studio):
    session = proofing_session(1)
    services.add_rush(session, io.BytesIO(jpeg(400)), "IMG_0400.CR2", enqueue=False)
    assert announce_new_proofs(session, now=settled()) is None  # its proof is not made yet
    pending = Rush.objects.get(original_filename="IMG_0400.CR2")
    services.ingest_rush(pending.pk)
    data = jpeg(401)
    base = reverse("admin:booker_photosession_uploads", args=[session.pk])
    studio.post(base, json.dumps({"filename": "IMG_0401.CR2", "size": len(data),
                                  "sha256": hashlib.sha256(data).hexdigest()}),
                content_type="application/json")
    assert RushUpload.objects.filter(session=session).exists()
    assert announce_new_proofs(session) is None  # the next file is on its way
    assert announce_new_proofs(session, now=settled()) is not None  # given up on since


def test_the_proofs_published_with_the_session_are_not_announced_again():
    session = proofing_session(3)
    assert announce_new_proofs(session, now=settled()) is None
    assert announce_settled_proofs(now=settled()) == 0


def test_rushes_are_refused_once_the_selection_is_submitted_until_it_is_reopened(
        studio, photographer):
    session = submitted_session()
    refused = upload(studio, session, "IMG_0500.CR2", jpeg(500))
    assert refused.status_code == 409
    assert refused.json()["error"] == (
        "Le client a envoyé sa sélection : rouvrez-la pour ajouter des photos, afin qu'il "
        "puisse aussi choisir parmi les nouvelles.")
    assert Action.ADD_RUSHES not in selectors.session_actions(session, photographer)
    services.reopen_selection(session, actor=None)
    assert Action.ADD_RUSHES in selectors.session_actions(session, photographer)
    assert upload(studio, session, "IMG_0500.CR2", jpeg(500)).status_code == 201


def test_the_studio_page_offers_a_card_to_add_photos_while_the_client_chooses(studio):
    session = proofing_session(2)
    html = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk])
                      ).content.decode()
    assert 'id="more-rushes"' in html and "Ajouter des photos" in html
    assert 'id="picks"' in html  # the picks' card is there too
    submitted = submitted_session()
    html = studio.get(reverse("admin:booker_photosession_studio", args=[submitted.pk])
                      ).content.decode()
    assert 'id="more-rushes"' not in html


def test_the_minute_s_sweep_announces_a_settled_batch(settings, django_capture_on_commit_callbacks):
    from booker.intake import ingest

    settings.BOOKER_NEW_PROOFS_QUIET_SECONDS = 0
    session = proofing_session(1)
    added = services.add_rush(session, io.BytesIO(jpeg(600)), "IMG_0600.CR2", enqueue=False)
    services.ingest_rush(added.rush.pk)
    with django_capture_on_commit_callbacks(execute=True):
        ingest.requeue_stalled_rushes()
    event = SessionEvent.objects.get(session=session, name=Event.PROOFS_ADDED)
    assert event.payload == {"proofs": 1, "rushes": [added.rush.pk]}
