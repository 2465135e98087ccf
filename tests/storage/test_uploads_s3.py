"""Rush uploads straight to S3 (moto's server on loopback, over HTTP): the studio signs the part
URLs, the "browser" (`requests`, no AWS credentials) PUTs the parts, the studio lists them,
completes, checks the size and creates the rush."""

from __future__ import annotations

import hashlib
import io
import json
import os
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse
from PIL import Image

from booker import roles, services
from booker.intake import uploads
from booker.models import Rush, RushUpload
from tests.factories import UserFactory, user_with_role

from .conftest import S3

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024
PART = 5 * MiB  # S3's smallest part: a 6 MB file is two parts


@pytest.fixture
def studio(client):
    client.force_login(user_with_role(roles.PHOTOGRAPHER))
    return client


@pytest.fixture
def session(db):
    return services.create_session(title="Mariage", client=UserFactory())


@pytest.fixture(autouse=True)
def smallest_parts(settings):
    settings.BOOKER_UPLOAD_PART_SIZE = PART


def raw_like(seed: int, size: int = PART + 700_000) -> bytes:
    """A JPEG the ingest can read, padded to `size` with bytes that differ per seed."""
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (seed * 40 % 256, 90, 160)).save(out, "JPEG")
    data = out.getvalue()
    return data + os.urandom(size - len(data))


def base(session) -> str:
    return reverse("admin:booker_photosession_uploads", args=[session.pk])


def checksums(data: bytes, size: int | None = None) -> list[str]:
    """The browser's part fingerprints (static/booker/sha256.js)."""
    return uploads.part_checksums_of(lambda at, n: data[at:at + n],
                                     len(data) if size is None else size, PART)


def start(client, session, name: str, data: bytes, size: int | None = None) -> dict:
    answer = client.post(base(session), json.dumps({
        "filename": name, "size": len(data) if size is None else size,
        "sha256": hashlib.sha256(data).hexdigest(), "part_sha256": checksums(data, size),
    }), content_type="application/json")
    assert answer.status_code in (200, 201), answer.content
    return answer.json()


def urls(client, session, upload: int, numbers: list[int]) -> dict[str, str]:
    answer = client.post(f"{base(session)}{upload}/parts/", json.dumps({"numbers": numbers}),
                         content_type="application/json")
    assert answer.status_code == 200, answer.content
    return answer.json()["urls"]


def put_parts(client, session, opened: dict, data: bytes, numbers: list[int]) -> None:
    """What the browser does: a plain HTTP PUT of each part to its presigned URL."""
    size = opened["part_size"]
    for number, url in urls(client, session, opened["upload"], numbers).items():
        n = int(number)
        body = data[(n - 1) * size:n * size]
        response = requests.put(url, data=body, timeout=30,
                                headers={"x-amz-checksum-sha256": checksums(data)[n - 1]})
        assert response.status_code == 200, response.text


def complete(client, session, upload: int):
    return client.post(f"{base(session)}{upload}/complete/", "{}",
                       content_type="application/json")


def open_uploads(s3: S3) -> list[str]:
    return [u["Key"] for u in
            s3.client.list_multipart_uploads(Bucket=s3.bucket).get("Uploads", [])]


def test_parts_go_straight_to_s3_and_complete_makes_the_rush_and_its_proof(
    s3: S3, studio, session, django_capture_on_commit_callbacks
):
    data = raw_like(1)
    opened = start(studio, session, "IMG_0001.JPG", data)
    assert opened["mode"] == "s3" and opened["part_size"] == PART
    assert (opened["parts"], opened["received"]) == ([], 0)
    upload = RushUpload.objects.get(pk=opened["upload"])
    assert upload.s3_upload_id
    assert open_uploads(s3) == [f"originals/{upload.key}"]

    signed = urls(studio, session, upload.pk, [1, 2])
    for url in signed.values():
        params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert params["uploadId"] == upload.s3_upload_id
        assert 0 < int(params["X-Amz-Expires"]) <= 15 * 60
        assert url.startswith(s3.plain_url(f"originals/{upload.key}") + "?")
        # Signed with its part's checksum: S3 refuses a PUT whose body does not match.
        assert params["X-Amz-SignedHeaders"] == "host;x-amz-checksum-sha256"
    put_parts(studio, session, opened, data, [1, 2])

    with django_capture_on_commit_callbacks(execute=True):
        done = complete(studio, session, upload.pk)
    assert done.status_code == 201, done.content
    rush = Rush.objects.get()
    assert done.json() == {"status": "created", "rush": rush.pk, "stored_as": "IMG_0001.JPG"}
    assert rush.original.name == upload.key
    assert s3.read(f"originals/{upload.key}") == data
    assert (rush.size, rush.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert rush.checked_at_upload  # S3's SHA-256 of the parts matched: the ingest need not hash
    rush.refresh_from_db()
    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason  # queued and run
    assert f"proofs/{rush.proof.name}" in s3.keys("proofs/")
    assert open_uploads(s3) == []
    # A second click on complete (the first answer lost) says the same, stores nothing more.
    assert complete(studio, session, upload.pk).json()["rush"] == rush.pk
    assert len(s3.keys("originals/")) == 1


def test_a_resumed_upload_learns_from_s3_which_parts_it_has(s3: S3, studio, session):
    data = raw_like(2, 2 * PART + 1000)
    opened = start(studio, session, "IMG_0002.CR2", data)
    put_parts(studio, session, opened, data, [1, 3])
    # The tab is closed: everything the browser knew is gone. The same file again:
    again = start(studio, session, "IMG_0002.CR2", data)
    assert again["upload"] == opened["upload"]
    assert again["parts"] == [{"number": 1, "size": PART}, {"number": 3, "size": 1000}]
    missing = complete(studio, session, opened["upload"])
    assert missing.status_code == 409
    assert "Les parties 2 sur 3 ne sont pas arrivées" in missing.json()["error"]
    put_parts(studio, session, again, data, [2])
    assert complete(studio, session, opened["upload"]).status_code == 201
    assert s3.read(f"originals/{Rush.objects.get().original.name}") == data


def test_parts_that_do_not_make_the_announced_size_are_refused_and_nothing_is_kept(
    s3: S3, studio, session
):
    data = raw_like(3)
    # The browser announced more than it sends: the last part comes short.
    opened = start(studio, session, "IMG_0003.CR2", data, size=len(data) + 5000)
    put_parts(studio, session, opened, data, [1, 2])
    refused = complete(studio, session, opened["upload"])
    assert refused.status_code == 409
    assert "taille différente" in refused.json()["error"]
    assert "Rien n'a été enregistré" in refused.json()["error"]
    assert not Rush.objects.exists()
    assert s3.keys("originals/") == [] and open_uploads(s3) == []
    assert RushUpload.objects.get().state == RushUpload.State.ABORTED


def test_a_part_damaged_on_the_way_fails_the_checksum_at_complete_and_nothing_is_kept(
    s3: S3, studio, session
):
    data = raw_like(8)
    opened = start(studio, session, "IMG_0008.CR2", data)
    # Part 2 arrives with other bytes of the same length (a proxy that mangled it): real S3
    # refuses the PUT itself (BadDigest); moto does not, so the object's checksum catches it.
    damaged = data[:PART] + bytes(b ^ 0xFF for b in data[PART:PART + 10]) + data[PART + 10:]
    put_parts(studio, session, opened, damaged, [1, 2])
    refused = complete(studio, session, opened["upload"])
    assert refused.status_code == 409
    assert "son empreinte diffère" in refused.json()["error"]
    assert not Rush.objects.exists()
    assert s3.keys("originals/") == [] and open_uploads(s3) == []
    assert RushUpload.objects.get().state == RushUpload.State.ABORTED


def test_an_s3_upload_without_part_fingerprints_is_refused_with_what_to_do(studio, session, s3):
    answer = studio.post(base(session), json.dumps({
        "filename": "IMG_0009.CR2", "size": 2 * PART, "sha256": "a" * 64,
    }), content_type="application/json")
    assert answer.status_code == 409
    assert "rechargez la page" in answer.json()["error"]
    assert not RushUpload.objects.exists()


def test_the_same_file_twice_is_reported_at_start_and_at_complete_and_stored_once(
    s3: S3, studio, session
):
    data = raw_like(4)
    first = start(studio, session, "IMG_0004.CR2", data)
    put_parts(studio, session, first, data, [1, 2])
    # Meanwhile the same file came in another way (import_rushes from the card).
    other = services.add_rush(session, io.BytesIO(data), "IMG_0004.CR2", enqueue=False).rush
    done = complete(studio, session, first["upload"])
    assert done.status_code == 200
    assert done.json() == {"status": "duplicate", "rush": other.pk, "stored_as": "IMG_0004.CR2"}
    assert s3.keys("originals/") == [f"originals/{other.original.name}"]
    again = start(studio, session, "copy.CR2", data)
    assert again == {"status": "duplicate", "rush": other.pk, "stored_as": "IMG_0004.CR2"}
    assert open_uploads(s3) == []


def test_abort_drops_the_parts_on_s3(s3: S3, studio, session):
    data = raw_like(5)
    opened = start(studio, session, "IMG_0005.CR2", data)
    put_parts(studio, session, opened, data, [1])
    assert studio.delete(f"{base(session)}{opened['upload']}/").status_code == 204
    assert open_uploads(s3) == []
    assert RushUpload.objects.get().state == RushUpload.State.ABORTED
    closed = studio.post(f"{base(session)}{opened['upload']}/parts/",
                         json.dumps({"numbers": [2]}), content_type="application/json")
    assert closed.status_code == 409


def test_an_upload_s3_forgot_starts_over(s3: S3, studio, session):
    data = raw_like(6)
    opened = start(studio, session, "IMG_0006.CR2", data)
    upload = RushUpload.objects.get()
    # A bucket lifecycle rule (AbortIncompleteMultipartUpload) got there first.
    s3.client.abort_multipart_upload(Bucket=s3.bucket, Key=f"originals/{upload.key}",
                                     UploadId=upload.s3_upload_id)
    again = start(studio, session, "IMG_0006.CR2", data)
    assert again["upload"] != opened["upload"] and again["parts"] == []
    upload.refresh_from_db()
    assert upload.state == RushUpload.State.ABORTED


def test_stale_uploads_are_aborted_on_s3_too(s3: S3, studio, session):
    from datetime import timedelta

    from django.utils import timezone

    opened = start(studio, session, "IMG_0007.CR2", raw_like(7))
    RushUpload.objects.filter(pk=opened["upload"]).update(
        updated_at=timezone.now() - timedelta(days=5))
    assert uploads.abort_stale_uploads() == 1
    assert open_uploads(s3) == []


def test_part_urls_are_asked_for_parts_that_exist(s3: S3, studio, session):
    opened = start(studio, session, "IMG_0008.CR2", raw_like(8))
    for numbers in ([0], [3], list(range(1, 200))):
        answer = studio.post(f"{base(session)}{opened['upload']}/parts/",
                             json.dumps({"numbers": numbers}), content_type="application/json")
        assert answer.status_code == 409, numbers
