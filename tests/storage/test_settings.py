"""What booke/settings/base.py makes of the environment: S3 for the three file storages when
a bucket is named, the local disk otherwise. The settings file is run afresh each time."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[2] / "booke" / "settings" / "base.py"
S3 = "storages.backends.s3.S3Storage"


def settings_with(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_PRIVATE_BUCKET_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE))


def test_without_a_bucket_every_file_stays_on_the_local_disk(monkeypatch):
    storages = settings_with(monkeypatch)["STORAGES"]
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["originals"]["BACKEND"] == "booker.storage.PrivateFileSystemStorage"
    assert storages["proofs"]["BACKEND"] == "booker.storage.PrivateFileSystemStorage"


def test_with_a_bucket_originals_and_proofs_are_private_on_s3(monkeypatch):
    conf = settings_with(monkeypatch, AWS_STORAGE_BUCKET_NAME="booke-files")
    storages = conf["STORAGES"]
    for alias, location in (("originals", "originals"), ("proofs", "proofs")):
        backend, options = storages[alias]["BACKEND"], storages[alias]["OPTIONS"]
        assert backend == S3
        assert options["bucket_name"] == "booke-files"
        assert options["location"] == location
        assert options["default_acl"] in (None, "private")
        assert options["querystring_auth"] is True
        assert 0 < options["querystring_expire"] <= 15 * 60
        assert options["custom_domain"] is None
    # Originals are never overwritten (generated keys); a proof's key is fixed per rush, and a
    # retried ingest replaces it rather than adding a second one.
    assert storages["originals"]["OPTIONS"]["file_overwrite"] is False
    assert storages["proofs"]["OPTIONS"]["file_overwrite"] is True
    media = storages["default"]
    assert media["BACKEND"] == S3
    assert media["OPTIONS"]["location"] == "media"
    assert media["OPTIONS"]["bucket_name"] == "booke-files"
    assert media["OPTIONS"]["file_overwrite"] is False
    assert storages["staticfiles"]["BACKEND"].startswith("whitenoise.")
    assert conf["AWS_S3_SIGNATURE_VERSION"] == "s3v4"


def test_originals_and_proofs_may_have_a_bucket_of_their_own(monkeypatch):
    storages = settings_with(
        monkeypatch, AWS_STORAGE_BUCKET_NAME="booke-media", AWS_PRIVATE_BUCKET_NAME="booke-vault"
    )["STORAGES"]
    assert storages["default"]["OPTIONS"]["bucket_name"] == "booke-media"
    assert storages["originals"]["OPTIONS"]["bucket_name"] == "booke-vault"
    assert storages["proofs"]["OPTIONS"]["bucket_name"] == "booke-vault"


def test_every_s3_storage_gives_up_within_the_timeouts_the_environment_sets(monkeypatch):
    conf = settings_with(monkeypatch, AWS_STORAGE_BUCKET_NAME="booke-files",
                         AWS_S3_ADDRESSING_STYLE="path", AWS_S3_CONNECT_TIMEOUT="1.5",
                         AWS_S3_READ_TIMEOUT="7", AWS_S3_MAX_ATTEMPTS="4")
    for alias in ("default", "originals", "proofs", "archive"):
        config = conf["STORAGES"][alias]["OPTIONS"]["client_config"]
        assert (config.connect_timeout, config.read_timeout) == (1.5, 7.0)
        assert config.retries == {"mode": "standard", "total_max_attempts": 4}
        # Given a client_config, django-storages applies neither of these itself.
        assert config.s3 == {"addressing_style": "path"}
        assert config.signature_version == "s3v4"
