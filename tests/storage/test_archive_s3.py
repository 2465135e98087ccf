"""The archive tier on S3 (moto's server over HTTP): originals are copied server-side into a
cold storage class, verified by the SHA-256 S3 computes on the copy, refused to plain GETs
until restored, and brought back verified by check_restores."""

from __future__ import annotations

import base64
import hashlib

import pytest
from botocore.exceptions import ClientError
from django.core import mail

from booke.settings.base import s3_storages
from booker import archive
from booker.models import FinalPhoto, PhotoSession, Rush
from tests.booker.factories_studio import delivered_session
from tests.storage.conftest import BUCKET
from tests.storage.test_settings import settings_with

Status = PhotoSession.Status
Tier = Rush.Tier


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
def test_restore_then_check_restores_brings_the_originals_back_verified(s3, delivered):
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
