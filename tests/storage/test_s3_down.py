"""S3 down (issue 22): the storages' endpoint is a moto server of our own that the tests stop
(nothing listens: connections refused), replace by a socket that accepts and never answers (the
read timeout), and start again on the same port. Uploads, downloads and the ingest must fail
within seconds with a French message, leave no row pointing at an object that does not exist,
and resume once S3 is back.

The server shares moto's in-process state with the session's server (tests/storage/conftest.py):
stopped and started again, it still holds the bucket, its objects and the open uploads' parts,
as S3 does after an outage."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from booker import roles, services
from booker.intake import ingest
from booker.models import FinalPhoto, Rush, RushUpload
from booker.storage import originals_storage
from tests.booker.factories_studio import delivered_session, jpeg
from tests.factories import UserFactory, user_with_role

from .conftest import S3, Outage
from .test_s3 import fetch
from .test_uploads_s3 import (
    PART,
    base,
    checksums,
    complete,
    open_uploads,
    put_parts,
    raw_like,
    start,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

DOWN = "Le stockage des fichiers ne répond pas pour le moment."
# Refused connections: two attempts (AWS_S3_MAX_ATTEMPTS) and at most a second of backoff.
REFUSED_WITHIN = 3.0
# A server that never answers: each attempt waits AWS_S3_READ_TIMEOUT, then the backoff.
HUNG_WITHIN = django_settings.AWS_S3_MAX_ATTEMPTS * django_settings.AWS_S3_READ_TIMEOUT + 2.0


@pytest.fixture
def studio(client):
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    return client


@pytest.fixture
def shoot(db):
    return services.create_session(title="Mariage", client=UserFactory())


def no_rush_without_its_original(s3: S3) -> None:
    stored = set(s3.keys("originals/"))
    for name in Rush.objects.values_list("original", flat=True):
        assert f"originals/{name}" in stored, f"a rush points at {name}, which S3 does not hold"


def test_the_storages_give_up_on_s3_within_seconds(s3: S3):
    client = originals_storage().connection.meta.client
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (3.0, 5.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    # A client_config replaces django-storages' own: the addressing style must survive it.
    assert config.s3 == {"addressing_style": "path"}


def test_an_upload_while_s3_is_down_fails_fast_in_french_and_resumes_from_its_parts_once_back(
    outage: Outage, s3: S3, studio, shoot, settings, django_capture_on_commit_callbacks
):
    settings.BOOKER_UPLOAD_PART_SIZE = PART  # S3's smallest: three parts in 11 MB
    session = shoot
    data = raw_like(7, 2 * PART + 1000)
    opened = start(studio, session, "IMG_0007.CR2", data)
    put_parts(studio, session, opened, data, [1])
    upload = opened["upload"]

    outage.down()
    # The tab reloaded: the same file again, to learn which parts S3 has.
    again = outage.timed("upload start, S3 refusing",
                         lambda: start_answer(studio, session, "IMG_0007.CR2", data))
    assert again.status_code == 503
    assert again.json()["error"].startswith(DOWN)
    assert outage.timings["upload start, S3 refusing"] < REFUSED_WITHIN
    done = outage.timed("upload complete, S3 refusing", lambda: complete(studio, session, upload))
    assert done.status_code == 503
    assert done.json()["error"].startswith(DOWN)
    assert outage.timings["upload complete, S3 refusing"] < REFUSED_WITHIN
    # Still open: its part waits in S3. And no rush for a file S3 does not hold.
    assert RushUpload.objects.get(pk=upload).state == RushUpload.State.UPLOADING
    assert not Rush.objects.exists()

    outage.hang()
    hung = outage.timed("upload complete, S3 silent",
                        lambda: complete(studio, session, upload))
    assert hung.status_code == 503
    assert hung.json()["error"].startswith(DOWN)
    assert outage.timings["upload complete, S3 silent"] < HUNG_WITHIN
    assert not Rush.objects.exists()

    outage.up()
    resumed = start(studio, session, "IMG_0007.CR2", data)
    assert resumed["upload"] == upload
    assert resumed["parts"] == [{"number": 1, "size": PART}]
    put_parts(studio, session, resumed, data, [2, 3])
    with django_capture_on_commit_callbacks(execute=True):
        done = complete(studio, session, upload)
    assert done.status_code == 201, done.content
    rush = Rush.objects.get()
    assert s3.read(f"originals/{rush.original.name}") == data
    assert open_uploads(s3) == []
    no_rush_without_its_original(s3)


def start_answer(client, session, name: str, data: bytes):
    """The start request as the uploader sends it, whatever the answer (`start` wants 2xx)."""
    return client.post(base(session), json.dumps({
        "filename": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
        "part_sha256": checksums(data),
    }), content_type="application/json")


def test_the_zip_while_s3_is_down_answers_a_french_503_fast_and_works_once_back(
    outage: Outage, client
):
    session, files_by_name = delivered_session(2)
    client.force_login(session.client)
    zip_url = reverse("portal:delivery-zip", args=[session.pk])
    web_zip_url = reverse("portal:delivery-web-zip", args=[session.pk])

    outage.down()
    refused = outage.timed("HD ZIP, S3 refusing", lambda: client.get(zip_url))
    assert refused.status_code == 503
    assert DOWN in refused.content.decode()
    assert refused["Retry-After"]
    assert outage.timings["HD ZIP, S3 refusing"] < REFUSED_WITHIN
    # The web-size ZIP asks S3 each copy's size before its first byte: the same French 503.
    web = outage.timed("web ZIP, S3 refusing", lambda: client.get(web_zip_url))
    assert web.status_code == 503
    assert DOWN in web.content.decode()
    assert outage.timings["web ZIP, S3 refusing"] < REFUSED_WITHIN

    outage.hang()
    silent = outage.timed("HD ZIP, S3 silent", lambda: client.get(zip_url))
    assert silent.status_code == 503
    assert DOWN in silent.content.decode()
    assert outage.timings["HD ZIP, S3 silent"] < HUNG_WITHIN

    outage.up()
    response = client.get(zip_url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {n: archive.read(n) for n in archive.namelist()} == files_by_name
    web = client.get(web_zip_url)
    assert web.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(b"".join(web.streaming_content))).namelist()) == 2


def test_one_hd_download_while_s3_is_down_answers_a_french_503_fast_and_works_once_back(
    outage: Outage, client
):
    # The signed link used to be made without asking S3: the client's browser then failed on
    # S3's address, in its own words. The studio asks S3 first (one HEAD) and answers itself.
    session, files_by_name = delivered_session(1)
    client.force_login(session.client)
    final = FinalPhoto.objects.get(job__session=session)
    hd_url = reverse("portal:final-download", args=[final.pk])

    outage.down()
    refused = outage.timed("one HD download, S3 refusing", lambda: client.get(hd_url))
    assert refused.status_code == 503
    assert DOWN in refused.content.decode()
    assert refused["Retry-After"]
    assert outage.timings["one HD download, S3 refusing"] < REFUSED_WITHIN

    outage.hang()
    silent = outage.timed("one HD download, S3 silent", lambda: client.get(hd_url))
    assert silent.status_code == 503
    assert DOWN in silent.content.decode()
    assert outage.timings["one HD download, S3 silent"] < HUNG_WITHIN
    # Nothing was downloaded while S3 was down: no log of a download that did not happen.
    assert not session.delivery.downloads.exists()

    outage.up()
    link = outage.timed("one HD download, S3 back", lambda: client.get(hd_url))
    assert link.status_code == 302
    assert fetch(link["Location"]).content == next(iter(files_by_name.values()))
    assert session.delivery.downloads.count() == 1


def test_a_rush_ingested_while_s3_is_down_stays_pending_and_the_sweep_makes_it_ready_once_back(
    outage: Outage, s3: S3, settings, django_capture_on_commit_callbacks
):
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(jpeg(8)), "IMG_0008.CR2", enqueue=False).rush

    outage.down()
    waiting = outage.timed("ingest, S3 refusing", lambda: services.ingest_rush(rush.pk))
    assert waiting.ingest_status == Rush.Ingest.PENDING
    assert waiting.failure_reason.startswith("le stockage des fichiers ne répondait pas")
    assert waiting.attempts == 0  # an outage is not the file's fault: never given up on
    assert outage.timings["ingest, S3 refusing"] < REFUSED_WITHIN
    # The sweeps of the outage try again, and leave it waiting.
    for _ in range(settings.BOOKER_INGEST_MAX_ATTEMPTS + 1):
        _lease_ran_out(rush)
        with django_capture_on_commit_callbacks(execute=True):
            assert ingest.requeue_stalled_rushes() == 1
        rush.refresh_from_db()
        assert rush.ingest_status == Rush.Ingest.PENDING, rush.failure_reason

    outage.up()
    _lease_ran_out(rush)
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest.requeue_stalled_rushes() == 1
    rush.refresh_from_db()
    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason
    assert rush.failure_reason == ""
    # Exactly one proof (and its thumbnail): the failed attempts wrote nothing.
    assert [k for k in s3.keys("proofs/") if f"/proofs/{rush.pk}" in k] == sorted(
        [f"proofs/{rush.proof.name}", f"proofs/{rush.thumbnail.name}"]
    )


def _lease_ran_out(rush: Rush) -> None:
    """A lease later (BOOKER_INGEST_LEASE_SECONDS), without waiting five minutes."""
    past = timezone.now() - ingest.lease() - timedelta(seconds=1)
    Rush.objects.filter(pk=rush.pk).update(created_at=past, processing_started_at=past)


def test_a_503_from_s3_after_the_parts_are_joined_leaves_the_upload_open_and_no_rush(
    outage: Outage, s3: S3, studio, shoot, settings, django_capture_on_commit_callbacks
):
    # S3 joined the parts, then answered "ServiceUnavailable" to the size check: that says
    # nothing of the object. Closing the upload there would leave an object no rush points
    # at and make the photographer send the file again.
    settings.BOOKER_UPLOAD_PART_SIZE = PART
    data = raw_like(9, PART + 1000)
    opened = start(studio, session=shoot, name="IMG_0009.CR2", data=data)
    put_parts(studio, shoot, opened, data, [1, 2])
    events = originals_storage().connection.meta.client.meta.events

    def unavailable(**kwargs):
        answer = type("Answer", (), {"status_code": 503, "headers": {}})()
        return answer, {"Error": {"Code": "ServiceUnavailable", "Message": "Please retry"},
                        "ResponseMetadata": {"HTTPStatusCode": 503}}

    events.register("before-call.s3.HeadObject", unavailable)
    try:
        refused = complete(studio, shoot, opened["upload"])
    finally:
        events.unregister("before-call.s3.HeadObject", unavailable)
    assert refused.status_code == 503
    assert refused.json()["error"].startswith(DOWN)
    assert RushUpload.objects.get(pk=opened["upload"]).state == RushUpload.State.UPLOADING
    assert not Rush.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = complete(studio, shoot, opened["upload"])
    assert done.status_code == 201, done.content
    no_rush_without_its_original(s3)
