"""Originals, proofs and finals on S3, against a real S3 HTTP endpoint (moto's server on
loopback): where the bytes land, who can read them, and what the portal's links say."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from storages.backends.s3 import S3Storage

from booke.settings.base import s3_storages
from booker import services
from booker.intake import imaging
from booker.models import DownloadLog, FinalPhoto, Rush
from booker.storage import PrivateFileSystemStorage, originals_storage
from booker.views.files import storage_url
from tests.booker.factories_studio import delivered_session, jpeg, proofing_session, rush_ids
from tests.factories import UserFactory

from .conftest import S3

pytestmark = pytest.mark.django_db


def fetch(url: str) -> requests.Response:
    """What a browser gets from a link: a plain HTTP GET, no AWS credentials."""
    return requests.get(url, timeout=10, allow_redirects=False)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def stored(fieldfile) -> bytes:
    with fieldfile.storage.open(fieldfile.name, "rb") as fh:
        return fh.read()


def local_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_file_fields_follow_storages_when_the_settings_change(s3_server: S3):
    # FileField calls originals_storage() once, at import; the alias it got must still follow
    # STORAGES, and Django's own `storages` cache must be emptied by the same signal.
    field_storage = Rush._meta.get_field("original").storage
    assert isinstance(field_storage, PrivateFileSystemStorage)
    before = storages["originals"]
    with override_settings(
        STORAGES={**storages.backends, **s3_storages("a-bucket")},
        AWS_S3_ENDPOINT_URL=s3_server.endpoint,
    ):
        assert isinstance(field_storage, S3Storage)
        assert storages["originals"] is not before
        assert (field_storage.bucket_name, field_storage.location) == ("a-bucket", "originals")
        assert isinstance(Rush._meta.get_field("proof").storage, S3Storage)
        assert Rush._meta.get_field("proof").storage.location == "proofs"
        assert isinstance(FinalPhoto._meta.get_field("file").storage, S3Storage)
        assert isinstance(default_storage, S3Storage)
        assert default_storage.location == "media"
    assert isinstance(field_storage, PrivateFileSystemStorage)
    assert isinstance(storages["originals"], PrivateFileSystemStorage)


def test_a_rush_lands_under_the_originals_prefix_with_a_generated_key(s3: S3, settings):
    session = services.create_session(title="Studio", client=UserFactory())
    first = services.add_rush(session, io.BytesIO(jpeg(1)), "IMG_0001.CR2", enqueue=False).rush
    # Another card, another file, the same name: a second object, the first one untouched.
    second = services.add_rush(session, io.BytesIO(jpeg(2)), "IMG_0001.CR2", enqueue=False).rush

    keys = s3.keys("originals/")
    assert keys == sorted([f"originals/{first.original.name}", f"originals/{second.original.name}"])
    assert first.original.name != second.original.name
    for rush, index in ((first, 1), (second, 2)):
        assert rush.original.name.startswith(f"sessions/{session.pk}/originals/")
        assert "IMG_0001" not in rush.original.name  # the client's name is never the key
        assert rush.original.name.endswith(".cr2")
        assert s3.read(f"originals/{rush.original.name}") == jpeg(index)
    assert local_files(settings) == []


def test_an_existing_key_is_never_overwritten(s3: S3):
    storage = originals_storage()
    name = storage.save("sessions/1/originals/fixed.cr2", ContentFile(b"first"))
    again = storage.save(name, ContentFile(b"second"))
    assert again != name
    assert s3.read(f"originals/{name}") == b"first"
    assert s3.read(f"originals/{again}") == b"second"


def test_ingest_reads_the_original_from_s3_and_writes_proof_and_thumbnail_there(
    s3: S3, settings
):
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(jpeg(3)), "IMG_0003.CR2", enqueue=False).rush

    rush = services.ingest_rush(rush.pk)

    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason
    assert rush.proof.name == f"sessions/{session.pk}/proofs/{rush.pk}.jpg"
    assert rush.thumbnail.name == f"sessions/{session.pk}/proofs/{rush.pk}-thumb.jpg"
    assert s3.keys("proofs/") == sorted(
        [f"proofs/{rush.proof.name}", f"proofs/{rush.thumbnail.name}"]
    )
    for fieldfile in (rush.proof, rush.thumbnail):
        head = s3.client.head_object(Bucket=s3.bucket, Key=f"proofs/{fieldfile.name}")
        assert head["ContentType"] == "image/jpeg"
        picture = Image.open(io.BytesIO(s3.read(f"proofs/{fieldfile.name}")))
        assert picture.format == "JPEG"
    assert (rush.width, rush.height) == (60, 40)
    assert local_files(settings) == []


def test_a_retried_ingest_replaces_its_proof_rather_than_adding_one(s3: S3):
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(jpeg(4)), "IMG_0004.CR2", enqueue=False).rush
    services.ingest_rush(rush.pk)
    Rush.objects.filter(pk=rush.pk).update(ingest_status=Rush.Ingest.FAILED)

    rush = services.ingest_rush(rush.pk)

    assert rush.proof.name == f"sessions/{session.pk}/proofs/{rush.pk}.jpg"
    assert len(s3.keys("proofs/")) == 2


def test_ingest_streams_the_original_and_leaves_no_copy_on_the_worker(s3: S3, settings, tmp_path):
    settings.BOOKER_INGEST_TMP_DIR = str(tmp_path)
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(jpeg(6)), "IMG_0006.CR2", enqueue=False).rush
    seen = []
    real_open = imaging.open_picture

    def spy(source, long_edge):
        seen.append((str(source), sorted(p.name for p in tmp_path.iterdir())))
        return real_open(source, long_edge)

    with mock.patch.object(imaging, "open_picture", spy):
        rush = services.ingest_rush(rush.pk)

    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason
    [(path, folder)] = seen
    assert path.startswith("/proc/self/fd/"), "decoded from a file, not from bytes in memory"
    assert folder == [], "the temporary copy is unlinked before decoding starts"
    assert list(tmp_path.iterdir()) == []


def test_an_original_damaged_in_transit_fails_with_a_clear_reason(s3: S3):
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(jpeg(7)), "IMG_0007.CR2", enqueue=False).rush
    # What the browser reported at upload is not what S3 holds, and the upload could not
    # check it (a rush stored before uploads carried part checksums).
    Rush.objects.filter(pk=rush.pk).update(sha256="0" * 64, checked_at_upload=False)

    rush = services.ingest_rush(rush.pk)

    assert rush.ingest_status == Rush.Ingest.FAILED
    assert rush.failure_reason == (
        "fichier endommagé pendant l'envoi : l'empreinte ne correspond pas, envoyez-le de nouveau"
    )
    assert s3.keys("proofs/") == []


def test_an_original_missing_from_the_bucket_fails_alone(s3: S3):
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(jpeg(8)), "IMG_0008.CR2", enqueue=False).rush
    s3.client.delete_object(Bucket=s3.bucket, Key=f"originals/{rush.original.name}")

    rush = services.ingest_rush(rush.pk)

    assert (rush.ingest_status, rush.failure_reason) == (
        Rush.Ingest.FAILED, "le fichier original est introuvable dans le stockage"
    )


def test_a_private_object_refuses_unsigned_reads_and_serves_its_signed_link(s3: S3):
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(jpeg(5)), "IMG_0005.CR2", enqueue=False).rush
    services.ingest_rush(rush.pk)
    rush.refresh_from_db()

    for key in (f"originals/{rush.original.name}", f"proofs/{rush.proof.name}"):
        assert fetch(s3.plain_url(key)).status_code == 403

    url = storage_url(rush.original)
    assert url.startswith(s3.plain_url(f"originals/{rush.original.name}") + "?")
    response = fetch(url)
    assert response.status_code == 200
    assert response.content == jpeg(5)


def test_a_signed_link_expires_within_fifteen_minutes(s3: S3):
    session = proofing_session(1)
    rush = Rush.objects.get(pk=rush_ids(session)[0])

    params = query(storage_url(rush.proof, f"{rush.stem}.jpg"))

    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Signature"]
    assert 0 < int(params["X-Amz-Expires"]) <= 15 * 60
    signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - signed_at) < timedelta(minutes=1)


def test_a_download_link_makes_s3_answer_an_attachment_under_the_clean_name(s3: S3):
    session, files_by_name = delivered_session(1)
    final = FinalPhoto.objects.get(job__session=session)

    response = fetch(storage_url(final.file, "IMG_0000.jpg", inline=False))

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="IMG_0000.jpg"'
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.content == files_by_name["IMG_0000.jpg"]


def test_a_non_ascii_name_keeps_its_accents_for_those_who_can_read_them(s3: S3):
    session, _ = delivered_session(1)
    final = FinalPhoto.objects.get(job__session=session)

    response = fetch(storage_url(final.file, "Léa & Hugo\r\n.jpg", inline=False))

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Lea _ Hugo.jpg"; '
        "filename*=UTF-8''L%C3%A9a%20%26%20Hugo.jpg"
    )


def test_public_media_are_read_without_a_signature(s3: S3):
    name = default_storage.save("original_images/poster.jpg", ContentFile(jpeg(6)))
    url = default_storage.url(name)
    assert "X-Amz-Signature" not in url
    assert f"/{s3.bucket}/media/" in url
    response = fetch(url)
    assert response.status_code == 200
    assert response.content == jpeg(6)


def test_the_portal_redirects_the_owner_to_signed_proofs_and_refuses_others(s3: S3, client):
    session = proofing_session(2)
    rush = Rush.objects.get(pk=rush_ids(session)[0])
    proof_url = reverse("portal:rush-proof", args=[rush.pk])
    thumb_url = reverse("portal:rush-thumb", args=[rush.pk])

    client.force_login(session.client)
    response = client.get(proof_url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(s3.plain_url(f"proofs/{rush.proof.name}") + "?")
    assert "X-Amz-Signature" in query(location)
    # A browser may keep the redirect, but not past the link's own expiry.
    assert "private" in response["Cache-Control"]
    assert "max-age=840" in response["Cache-Control"]
    image = fetch(location)
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/jpeg"
    assert image.headers["Content-Disposition"] == f'inline; filename="{rush.stem}.jpg"'
    assert image.content == stored(rush.proof)

    response = client.get(thumb_url)
    assert response.status_code == 302
    assert fetch(response["Location"]).content == stored(rush.thumbnail)

    client.force_login(UserFactory())
    assert client.get(proof_url).status_code == 404
    assert client.get(thumb_url).status_code == 404


def test_the_portal_redirects_the_owner_to_a_signed_final_and_refuses_others(s3: S3, client):
    session, files_by_name = delivered_session(2)
    final = FinalPhoto.objects.filter(job__session=session).order_by(
        "job__rush__original_filename"
    )[0]
    url = reverse("portal:final-download", args=[final.pk])

    client.force_login(session.client)
    response = client.get(url, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    download = fetch(response["Location"])
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="IMG_0000.jpg"'
    assert download.content == files_by_name["IMG_0000.jpg"]
    assert DownloadLog.objects.filter(final=final, ip_address="203.0.113.7").count() == 1

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert DownloadLog.objects.filter(final=final).count() == 1


def test_the_delivery_zip_is_streamed_from_s3(s3: S3, client):
    session, files_by_name = delivered_session(2)
    client.force_login(session.client)

    response = client.get(reverse("portal:delivery-zip", args=[session.pk]))

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {n: archive.read(n) for n in archive.namelist()} == files_by_name


def test_the_delivery_zip_reads_finals_as_they_stream_never_spooling_a_whole_file(
    s3: S3, client, monkeypatch
):
    # django-storages' S3File copies the whole object to a temporary file before its first
    # read: for a 2 GB delivery that is the first byte late and every byte written twice.
    import tempfile

    def no_spooling(*args, **kwargs):
        raise AssertionError("a final was spooled to a temporary file")

    session, files_by_name = delivered_session(2)
    client.force_login(session.client)
    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", no_spooling)

    response = client.get(reverse("portal:delivery-zip", args=[session.pk]))

    body = b"".join(response.streaming_content)
    assert len(body) == int(response["Content-Length"])
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert {n: archive.read(n) for n in archive.namelist()} == files_by_name


def test_a_checked_raw_on_s3_gives_its_proof_from_one_ranged_read_not_the_whole_file(
    s3: S3, tmp_path
):
    from bench.dng import write_dng
    from booker.intake import ingest, tiffpreview

    raw = write_dng(tmp_path / "IMG_0100.DNG", 2400, 1600, preview="full", seed=4).read_bytes()
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(raw), "IMG_0100.DNG", enqueue=False).rush
    assert rush.checked_at_upload
    reads: list[tuple[int, int]] = []
    real_read = ingest.read_range

    def spy(storage, name, offset, length):
        reads.append((offset, length))
        return real_read(storage, name, offset, length)

    with mock.patch.object(ingest, "read_range", spy), \
            mock.patch.object(ingest, "iter_chunks", side_effect=AssertionError("whole file")):
        rush = services.ingest_rush(rush.pk)

    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason
    assert (rush.width, rush.height) == (2048, 1365)
    assert rush.camera == "Booke Synthetic" and rush.captured_at is not None
    # One GET: the first 4 MiB hold the IFDs and the JPEG preview that follows them.
    assert reads == [(0, tiffpreview.HEAD_READ)], reads
    assert tiffpreview.HEAD_READ < len(raw)  # not the whole file
    assert sorted(s3.keys("proofs/")) == sorted([f"proofs/{rush.proof.name}",
                                                 f"proofs/{rush.thumbnail.name}"])


def test_a_raw_whose_preview_is_too_small_is_read_whole_from_s3_once_without_hashing_again(
    s3: S3, tmp_path
):
    from bench.dng import write_dng
    from booker.intake import ingest, tiffpreview

    raw = write_dng(tmp_path / "IMG_0101.DNG", 2400, 1600, preview="sony", seed=5).read_bytes()
    assert len(raw) > tiffpreview.HEAD_READ
    session = services.create_session(title="Studio", client=UserFactory())
    rush = services.add_rush(session, io.BytesIO(raw), "IMG_0101.DNG", enqueue=False).rush
    starts: list[int] = []
    real_chunks = ingest.iter_chunks

    def spy(storage, name, chunk_size, start=0):
        starts.append(start)
        return real_chunks(storage, name, chunk_size, start=start)

    with mock.patch("booker.intake.ingest.hashlib.sha256",
                    side_effect=AssertionError("hashed twice")), \
            mock.patch.object(ingest, "iter_chunks", spy):
        rush = services.ingest_rush(rush.pk)
    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason
    assert (rush.width, rush.height) == (1200, 800)  # half size (binned), never upscaled
    # The preview search read the first 4 MiB; the download went on from there.
    assert starts == [tiffpreview.HEAD_READ]
