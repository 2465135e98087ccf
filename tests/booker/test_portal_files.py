"""The portal's private files: proofs, thumbnails, finals and the delivery ZIP."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import Storage
from django.urls import reverse

from booker import roles, services
from booker.delivery.files import unique_name
from booker.models import DownloadLog, FinalPhoto, Rush
from booker.views import files
from tests.booker.factories_studio import (
    delivered_session,
    jpeg,
    proofing_session,
    retouching_session,
    rush_ids,
)
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored(fieldfile) -> bytes:
    with fieldfile.storage.open(fieldfile.name, "rb") as fh:
        return fh.read()


def test_thumbnails_and_proofs_are_served_to_the_owner_only(client):
    session = proofing_session(2)
    rush = Rush.objects.get(pk=rush_ids(session)[0])
    thumb = reverse("portal:rush-thumb", args=[rush.pk])
    proof = reverse("portal:rush-proof", args=[rush.pk])

    client.force_login(session.client)
    response = client.get(thumb)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert body(response) == stored(rush.thumbnail)
    assert "private" in response["Cache-Control"]
    response = client.get(proof)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == stored(rush.proof)

    client.force_login(UserFactory())
    assert client.get(thumb).status_code == 404
    assert client.get(proof).status_code == 404


def test_proofs_are_not_shown_to_the_client_before_they_are_published(client):
    owner = UserFactory()
    photographer = user_with_role(roles.PHOTOGRAPHER)
    session = services.create_session(title="Pas encore", client=owner, photographer=photographer)
    rush = services.add_rush(session, io.BytesIO(jpeg(1)), "IMG_1.CR2", enqueue=False).rush
    services.ingest_rush(rush.pk)
    client.force_login(owner)
    assert client.get(reverse("portal:rush-thumb", args=[rush.pk])).status_code == 404
    # … while the studio sees it in the back office, through the same URL.
    client.force_login(photographer)
    response = client.get(reverse("portal:rush-thumb", args=[rush.pk]))
    assert response.status_code == 200
    body(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.PHOTOGRAPHER, 200), ("superuser", 200), (roles.RETOUCHER, 404), (roles.EDITOR, 404),
     (roles.SHOP_MANAGER, 404)],
)
def test_the_studio_gets_a_thumbnail_by_relationship_not_by_permission(client, role, status):
    """Photographers (all sessions, by default) and superusers: yes; a retoucher holds
    `view_rush` but no job here, so no."""
    session = proofing_session(1)
    client.force_login(user_with_role(role))
    response = client.get(reverse("portal:rush-thumb", args=[rush_ids(session)[0]]))
    assert response.status_code == status
    if status == 200:
        body(response)


def test_a_missing_file_is_a_404_not_a_crash(client):
    session = proofing_session(1)
    rush = Rush.objects.get(pk=rush_ids(session)[0])
    rush.thumbnail.storage.delete(rush.thumbnail.name)
    client.force_login(session.client)
    assert client.get(reverse("portal:rush-thumb", args=[rush.pk])).status_code == 404


def test_one_final_is_downloaded_under_the_clients_file_name_and_logged(client):
    session, files_by_name = delivered_session(2)
    finals = FinalPhoto.objects.filter(job__session=session)
    final = finals.order_by("job__rush__original_filename")[0]
    client.force_login(session.client)

    response = client.get(
        reverse("portal:final-download", args=[final.pk]),
        HTTP_USER_AGENT="Mozilla/5.0 (iPhone)",
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="IMG_0000.jpg"'
    assert body(response) == files_by_name["IMG_0000.jpg"]
    log = DownloadLog.objects.get()
    assert log.final == final and log.user == session.client
    assert log.delivery == session.delivery
    assert log.ip_address == "203.0.113.7" and log.user_agent == "Mozilla/5.0 (iPhone)"


def test_the_zip_holds_every_delivered_final_byte_for_byte_and_is_logged(client):
    session, files_by_name = delivered_session(3)
    client.force_login(session.client)

    response = client.get(
        reverse("portal:delivery-zip", args=[session.pk]),
        HTTP_USER_AGENT="Firefox",
        REMOTE_ADDR="198.51.100.2",
    )

    assert response.status_code == 200
    assert response.streaming, "the ZIP is sent while it is made, never built in memory first"
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    data = body(response)
    assert int(response["Content-Length"]) == len(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted(files_by_name)
    for name, content in files_by_name.items():
        assert archive.read(name) == content
        assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED
    log = DownloadLog.objects.get()
    assert log.final is None and log.user == session.client
    assert log.ip_address == "198.51.100.2" and log.user_agent == "Firefox"


def test_the_owner_sees_a_final_on_screen_unwatermarked_and_unlogged(client):
    """The screen copy of a final (for viewing the delivery and framing a print): the web
    copy of the final itself, not the watermarked proof, and not counted as a download."""
    from PIL import Image

    session, _ = delivered_session(1)
    final = FinalPhoto.objects.get(job__session=session)
    url = reverse("portal:final-screen", args=[final.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404

    client.force_login(session.client)
    response = client.get(url)
    assert response.status_code == 200
    screen = body(response)
    assert screen != body(client.get(reverse("portal:rush-proof", args=[final.job.rush_id])))
    with final.file.open("rb") as handle, Image.open(handle) as original:
        size = original.size
    with Image.open(io.BytesIO(screen)) as shown:
        assert shown.format == "JPEG" and shown.size == size  # small finals: never enlarged
    assert "private" in response["Cache-Control"]
    assert not DownloadLog.objects.exists()


def test_finals_and_zip_are_404_for_another_client_and_before_delivery(client):
    session, _ = delivered_session(1)
    final = FinalPhoto.objects.get(job__session=session)
    client.force_login(UserFactory())
    assert client.get(reverse("portal:final-download", args=[final.pk])).status_code == 404
    assert client.get(reverse("portal:delivery-zip", args=[session.pk])).status_code == 404
    assert not DownloadLog.objects.exists()

    undelivered = proofing_session(1)
    client.force_login(undelivered.client)
    response = client.get(reverse("portal:delivery-zip", args=[undelivered.pk]))
    assert response.status_code == 404


def test_a_retoucher_without_a_job_in_the_session_gets_none_of_its_files(client):
    """Finding 4 of issue 14: the model permission `view_rush` / `view_finalphoto` let any
    retoucher read every client's proofs, finals and ZIP, and be logged as a downloader."""
    session, _ = delivered_session(2)
    final = FinalPhoto.objects.filter(job__session=session).first()
    # A retoucher busy on another client's session: a job, but not in this one.
    _, elsewhere = retouching_session()
    retoucher = user_with_role(roles.RETOUCHER)
    services.assign_jobs(elsewhere, retoucher, actor=None)
    client.force_login(retoucher)

    for url in (
        reverse("portal:rush-thumb", args=[final.job.rush_id]),
        reverse("portal:rush-proof", args=[final.job.rush_id]),
        reverse("portal:final-download", args=[final.pk]),
        reverse("portal:delivery-zip", args=[session.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert not DownloadLog.objects.exists()


def test_zip_entries_of_the_same_name_are_kept_apart():
    taken: set[str] = set()
    names = [unique_name(n, taken) for n in ("IMG_1.jpg", "img_1.jpg", "IMG_1.jpg")]
    assert names == ["IMG_1.jpg", "img_1 (2).jpg", "IMG_1 (3).jpg"]


class RemoteStorage(Storage):
    """What S3 looks like to the views: not on the local disk, reachable at a URL."""

    def url(self, name):
        return f"https://bucket.example/{name}?signed"

    def exists(self, name):
        return True


def test_files_on_remote_storage_are_a_redirect_to_the_storage_url():
    session = proofing_session(1)
    rush = Rush.objects.get(pk=rush_ids(session)[0])
    fieldfile = rush.proof
    fieldfile.storage = RemoteStorage()

    response = files.serve_private(fieldfile)

    assert response.status_code == 302
    assert response["Location"] == f"https://bucket.example/{rush.proof.name}?signed"
