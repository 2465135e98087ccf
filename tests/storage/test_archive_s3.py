"""The archive tier on S3 (moto's server over HTTP): originals are copied server-side into a
cold storage class, verified by the SHA-256 S3 computes on the copy, refused to plain GETs
until restored, and brought back verified by check_restores. Originals over the single-copy
limit are copied in the parts they were uploaded in and verified by S3's checksum of them."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from django.core import mail

from booke.settings.base import s3_storages
from booker.archive import services as archive
from booker.intake import uploads
from booker.models import FinalPhoto, PhotoSession, Rush, RushUpload
from booker.storage import archive_storage
from tests.booker.factories_studio import delivered_session
from tests.storage.conftest import BUCKET
from tests.storage.test_settings import settings_with

Status = PhotoSession.Status
Tier = Rush.Tier
MiB = 1024 * 1024
PART = 5 * MiB  # S3's smallest part


def b64_sha256(hexdigest: str) -> str:
    return base64.b64encode(bytes.fromhex(hexdigest)).decode()


def head(s3, key: str) -> dict:
    return s3.client.head_object(Bucket=s3.bucket, Key=key, ChecksumMode="ENABLED")


@pytest.fixture
def delivered(s3):
    session, _ = delivered_session(picks=2)
    return session


@pytest.mark.django_db
@pytest.mark.parametrize("storage_class", ["DEEP_ARCHIVE", "GLACIER"])
def test_archived_originals_land_in_the_cold_class_verified_and_refuse_a_get(
    settings, s3, delivered, storage_class
):
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": s3_storages(BUCKET, BUCKET, archive_storage_class=storage_class)["archive"],
    }
    rushes = list(delivered.rushes.order_by("pk"))
    finals = list(FinalPhoto.objects.filter(job__session=delivered))

    report = archive.archive_session(delivered, actor=None)

    assert (report.archived, report.failed) == (3, [])
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    for rush in rushes:
        key = f"archive/{rush.original.name}"
        meta = head(s3, key)
        assert meta["StorageClass"] == storage_class
        assert meta["ChecksumSHA256"] == b64_sha256(rush.sha256)
        assert f"originals/{rush.original.name}" not in s3.keys("originals/")
        with pytest.raises(ClientError) as refused:
            s3.client.get_object(Bucket=s3.bucket, Key=key)
        assert refused.value.response["Error"]["Code"] == "InvalidObjectState"
        # Proofs stay online, readable.
        assert s3.read(f"proofs/{rush.proof.name}")
    for final in finals:
        assert s3.read(f"originals/{final.file.name}")


@pytest.mark.django_db
def test_restore_then_check_restores_brings_the_originals_back_verified(
    s3, delivered, django_capture_on_commit_callbacks
):
    archive.archive_session(delivered, actor=None)
    rushes = list(delivered.rushes.order_by("pk"))
    archive.request_restore(delivered, actor=None)
    mail.outbox.clear()

    # First check: nothing restored yet, so it asks S3 to restore each archived original.
    first = archive.check_restores()

    assert [(p.back_online, p.waiting) for p in first] == [(0, 3)]
    for rush in rushes:
        assert 'ongoing-request="false"' in head(s3, f"archive/{rush.original.name}")["Restore"]
    delivered.refresh_from_db()
    assert delivered.status == Status.RESTORING

    # moto restores at once; S3 would take hours, and the next checks would find them.
    with django_capture_on_commit_callbacks(execute=True):
        second = archive.check_restores()

    assert [p.back_online for p in second] == [3]
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    for rush in rushes:
        rush.refresh_from_db()
        assert rush.original_tier == Tier.ONLINE
        key = f"originals/{rush.original.name}"
        assert head(s3, key)["ChecksumSHA256"] == b64_sha256(rush.sha256)
        assert hashlib.sha256(s3.read(key)).hexdigest() == rush.sha256
        assert head(s3, f"archive/{rush.original.name}")  # the archived copy is kept
    assert len(mail.outbox) == 1  # the client (this session has no photographer)


@pytest.mark.django_db
def test_an_s3_copy_whose_checksum_does_not_match_leaves_the_original_in_place(s3, delivered):
    rush = delivered.rushes.order_by("pk").first()
    key = f"originals/{rush.original.name}"
    # The stored object no longer holds what was uploaded (what a damaged upload would be):
    # its copy cannot match the sha256 recorded for the rush.
    s3.client.put_object(Bucket=s3.bucket, Key=key, Body=b"not the uploaded bytes")

    report = archive.archive_session(delivered, actor=None)

    assert report.archived == 2
    assert [name for name, _ in report.failed] == [rush.original_filename]
    assert "does not match" in report.failed[0][1]
    assert s3.read(key) == b"not the uploaded bytes"
    rush.refresh_from_db()
    assert rush.original_tier == Tier.ONLINE and rush.archive_verified_at is None
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    assert delivered.events.filter(name="archive.failed", payload__rush=rush.pk).exists()


# --- Originals over the single-copy limit ---------------------------------------------------------


def put_in_parts(s3, key: str, data: bytes) -> list[str]:
    """Store `data` under `key` as the uploader does (booker.uploads): a SHA256 multipart
    upload of PART-sized parts, each sent with the browser's checksum, completed with them.
    Returns those checksums."""
    checksums = uploads.part_checksums_of(lambda at, n: data[at:at + n], len(data), PART)
    opened = s3.client.create_multipart_upload(Bucket=s3.bucket, Key=key,
                                               ChecksumAlgorithm="SHA256")
    parts = []
    for number, checksum in enumerate(checksums, 1):
        sent = s3.client.upload_part(
            Bucket=s3.bucket, Key=key, UploadId=opened["UploadId"], PartNumber=number,
            Body=data[(number - 1) * PART:number * PART], ChecksumSHA256=checksum,
        )
        parts.append({"PartNumber": number, "ETag": sent["ETag"], "ChecksumSHA256": checksum})
    s3.client.complete_multipart_upload(Bucket=s3.bucket, Key=key, UploadId=opened["UploadId"],
                                        MultipartUpload={"Parts": parts})
    return checksums


def composite(s3, key: str) -> str:
    """S3's checksum of a multipart object, without the "-N" S3 appends (moto does not)."""
    return head(s3, key)["ChecksumSHA256"].split("-")[0]


def open_multipart_uploads(s3) -> list[str]:
    return [u["Key"] for u in s3.client.list_multipart_uploads(Bucket=s3.bucket).get("Uploads", [])]


@pytest.fixture
def big(settings, s3, delivered):
    """The session's first rush, made a 12 MiB original uploaded in three 5 MiB parts (its
    RushUpload keeps the part checksums), with the single-copy limit lowered under it."""
    settings.BOOKER_UPLOAD_PART_SIZE = PART
    settings.BOOKER_ARCHIVE_SINGLE_COPY_MAX = 8 * MiB
    rush = delivered.rushes.order_by("pk").first()
    data = os.urandom(12 * MiB)
    checksums = put_in_parts(s3, f"originals/{rush.original.name}", data)
    sha256 = hashlib.sha256(data).hexdigest()
    Rush.objects.filter(pk=rush.pk).update(sha256=sha256, size=len(data))
    RushUpload.objects.create(
        session=delivered, filename=rush.original_filename, size=len(data), sha256=sha256,
        key=rush.original.name, part_size=PART, part_checksums=checksums,
        state=RushUpload.State.COMPLETE, rush=rush,
    )
    rush.refresh_from_db()
    return rush, data, checksums


@pytest.mark.django_db
def test_an_original_over_the_copy_limit_is_archived_in_its_upload_parts_verified_and_restored(
    s3, delivered, big
):
    rush, data, checksums = big
    archived_key, online_key = f"archive/{rush.original.name}", f"originals/{rush.original.name}"

    report = archive.archive_session(delivered, actor=None)

    assert (report.archived, report.failed) == (3, [])
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    meta = head(s3, archived_key)
    assert meta["StorageClass"] == "DEEP_ARCHIVE" and meta["ContentLength"] == len(data)
    # Copied in parts (a CopyObject would carry the whole file's SHA-256), on the upload's
    # boundaries: S3's checksum of the copy's parts is the one of the browser's parts.
    assert composite(s3, archived_key) == uploads.composite_checksum(checksums)
    assert online_key not in s3.keys("originals/")
    rush.refresh_from_db()
    assert rush.original_tier == Tier.ARCHIVE and rush.archive_verified_at is not None
    assert open_multipart_uploads(s3) == []

    archive.request_restore(delivered, actor=None)
    archive.check_restores()  # asks S3 to restore
    progress = archive.check_restores()  # moto restores at once: copies back

    assert [p.back_online for p in progress] == [3]
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    rush.refresh_from_db()
    assert rush.original_tier == Tier.ONLINE
    assert composite(s3, online_key) == uploads.composite_checksum(checksums)
    assert s3.read(online_key) == data
    assert s3.read(archived_key) == data  # the archived copy, readable while restored
    assert open_multipart_uploads(s3) == []


@pytest.mark.django_db
def test_a_big_original_whose_stored_bytes_changed_fails_the_parts_check_and_stays_online(
    s3, delivered, big
):
    rush, data, _checksums = big
    online_key = f"originals/{rush.original.name}"
    changed = bytearray(data)
    changed[PART + 17] ^= 0xFF  # one byte of the second part
    put_in_parts(s3, online_key, bytes(changed))

    report = archive.archive_session(delivered, actor=None)

    assert report.archived == 2
    assert [name for name, _ in report.failed] == [rush.original_filename]
    assert "does not match" in report.failed[0][1]
    assert s3.read(online_key) == bytes(changed)
    rush.refresh_from_db()
    assert rush.original_tier == Tier.ONLINE and rush.archive_verified_at is None
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    assert delivered.events.filter(name="archive.failed", payload__rush=rush.pk).exists()
    assert open_multipart_uploads(s3) == []


@pytest.mark.django_db
def test_a_multipart_copy_cut_off_midway_is_aborted_and_the_original_stays_online(
    s3, delivered, big
):
    rush, data, _checksums = big
    online_key = f"originals/{rush.original.name}"
    events = archive_storage().connection.meta.client.meta.events

    def cut_at_part_two(params, **kwargs):
        if params.get("PartNumber") == 2:
            raise EndpointConnectionError(endpoint_url=s3.endpoint)

    events.register("provide-client-params.s3.UploadPartCopy", cut_at_part_two)
    try:
        report = archive.archive_session(delivered, actor=None)
    finally:
        events.unregister("provide-client-params.s3.UploadPartCopy", cut_at_part_two)

    assert [name for name, _ in report.failed] == [rush.original_filename]
    assert "EndpointConnectionError" in report.failed[0][1]
    assert open_multipart_uploads(s3) == []  # part 1 was not left behind
    assert f"archive/{rush.original.name}" not in s3.keys("archive/")
    assert s3.read(online_key) == data
    rush.refresh_from_db()
    assert rush.original_tier == Tier.ONLINE and rush.archive_verified_at is None
    assert delivered.events.filter(name="archive.failed", payload__rush=rush.pk).exists()


@pytest.mark.django_db
def test_a_copied_part_whose_sha256_s3_reports_wrong_stops_the_copy_at_that_part(
    s3, delivered, big
):
    rush, data, checksums = big
    events = archive_storage().connection.meta.client.meta.events
    copied = []

    # S3 answers each UploadPartCopy of a SHA256 multipart upload with the part's SHA-256
    # (moto answers none): here part 2 comes out damaged.
    def s3_reports(http_response, parsed, model, **kwargs):
        copied.append(parsed)
        number = len(copied)
        parsed["CopyPartResult"]["ChecksumSHA256"] = (
            checksums[number - 1] if number != 2 else b64_sha256(hashlib.sha256(b"x").hexdigest())
        )

    events.register("after-call.s3.UploadPartCopy", s3_reports)
    try:
        report = archive.archive_session(delivered, actor=None)
    finally:
        events.unregister("after-call.s3.UploadPartCopy", s3_reports)

    assert len(copied) == 2  # part 3 was never copied
    assert [name for name, _ in report.failed] == [rush.original_filename]
    assert "La partie 2 sur 3 de la copie ne correspond pas" in report.failed[0][1]
    assert open_multipart_uploads(s3) == []
    assert f"archive/{rush.original.name}" not in s3.keys("archive/")
    assert s3.read(f"originals/{rush.original.name}") == data
    rush.refresh_from_db()
    assert rush.original_tier == Tier.ONLINE


@pytest.mark.django_db
def test_a_big_original_without_recorded_parts_is_not_copied_and_says_why(s3, delivered, big):
    rush, data, _checksums = big
    RushUpload.objects.filter(rush=rush).delete()

    report = archive.archive_session(delivered, actor=None)

    assert report.archived == 2
    assert [name for name, _ in report.failed] == [rush.original_filename]
    reason = delivered.events.get(name="archive.failed", payload__rush=rush.pk).payload["reason"]
    assert "empreintes de ses parties" in reason and "reste donc en ligne" in reason
    assert f"archive/{rush.original.name}" not in s3.keys("archive/")
    assert s3.read(f"originals/{rush.original.name}") == data
    assert open_multipart_uploads(s3) == []


# --- Settings ------------------------------------------------------------------------------------


def test_with_a_bucket_the_archive_is_private_under_archive_in_deep_archive(monkeypatch):
    monkeypatch.delenv("BOOKER_ARCHIVE_STORAGE_CLASS", raising=False)
    storages = settings_with(monkeypatch, AWS_STORAGE_BUCKET_NAME="booke-files")["STORAGES"]
    options = storages["archive"]["OPTIONS"]
    assert options["location"] == "archive"
    assert options["bucket_name"] == "booke-files"
    assert options["object_parameters"] == {"StorageClass": "DEEP_ARCHIVE"}
    assert options["querystring_auth"] is True and options["file_overwrite"] is False


def test_the_archive_storage_class_comes_from_the_environment(monkeypatch):
    conf = settings_with(monkeypatch, AWS_STORAGE_BUCKET_NAME="booke-files",
                         BOOKER_ARCHIVE_STORAGE_CLASS="GLACIER")
    assert conf["STORAGES"]["archive"]["OPTIONS"]["object_parameters"]["StorageClass"] == "GLACIER"
    with pytest.raises(ValueError, match="BOOKER_ARCHIVE_STORAGE_CLASS"):
        settings_with(monkeypatch, BOOKER_ARCHIVE_STORAGE_CLASS="STANDARD")


def test_without_a_bucket_the_archive_is_a_private_folder(monkeypatch):
    storages = settings_with(monkeypatch)["STORAGES"]
    assert storages["archive"] == {
        "BACKEND": "booker.storage.PrivateFileSystemStorage",
        "OPTIONS": {"subdir": "archive"},
    }
