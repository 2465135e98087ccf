"""RAW → proof: real camera files, and broken ones that must fail alone with a reason."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from booker import services
from booker.models import PhotoSession, Rush
from tests.factories import UserFactory

SAMPLES = Path(settings.STUDIO_SAMPLES_DIR) / "raw"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"sample RAW files not found in {SAMPLES}"
)


def jpeg_bytes(size=(3000, 2000), color=(180, 120, 90), exif_orientation=None) -> bytes:
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    img.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


@pytest.fixture
def session(db):
    client = UserFactory()
    return services.create_session(title="Portraits", client=client, quota=3)


def add(session, name: str, data: bytes) -> Rush:
    return services.add_rush(session, io.BytesIO(data), name, enqueue=False).rush


def proof_of(rush: Rush) -> Image.Image:
    with rush.proof.open("rb") as fh:
        return Image.open(io.BytesIO(fh.read()))


@needs_samples
def test_canon_dng_gets_a_watermarked_proof_thumbnail_and_camera_details(session):
    rush = add(session, "IMG_0001.dng", (SAMPLES / "canon_eos_6d.dng").read_bytes())
    rush = services.ingest_rush(rush.pk)
    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason
    assert rush.camera == "Canon EOS 6D"
    assert rush.captured_at is not None and rush.captured_at.year == 2019
    proof = proof_of(rush)
    assert proof.format == "JPEG" and max(proof.size) <= services.PROOF_EDGE
    assert max(proof.size) == 1224, "a small camera file is never upscaled"
    with rush.thumbnail.open("rb") as fh:
        assert max(Image.open(fh).size) == services.THUMB_EDGE


@needs_samples
def test_kodak_kdc_whose_only_preview_is_a_tiny_bitmap_is_decoded_at_half_size(session):
    rush = add(session, "DC50_0003.KDC", (SAMPLES / "kodak_dc50.kdc").read_bytes())
    rush = services.ingest_rush(rush.pk)
    assert rush.ingest_status == Rush.Ingest.READY, rush.failure_reason
    assert proof_of(rush).size == (384, 256)  # half of 768×512, never the 96 px bitmap


def test_a_large_jpeg_proof_is_2048_on_its_long_edge_and_upright(session):
    # EXIF orientation 6: the camera was turned; the proof must be portrait.
    rush = add(session, "IMG_0100.JPG", jpeg_bytes((3000, 2000), exif_orientation=6))
    rush = services.ingest_rush(rush.pk)
    width, height = proof_of(rush).size
    assert height == 2048 and width in (1365, 1366)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("EMPTY.CR2", lambda raw: b"", "empty file"),
        ("JUNK.NEF", lambda raw: b"\x00garbage" * 5000, "not a RAW file"),
        ("HALF.DNG", lambda raw: raw[: len(raw) // 2], "file is truncated"),
        ("RENAMED.CR2", lambda raw: jpeg_bytes()[:20_000], "file is truncated"),
    ],
)
@needs_samples
def test_a_broken_file_fails_alone_with_its_reason_and_the_batch_goes_on(
    session, name, make, reason
):
    raw = (SAMPLES / "canon_eos_6d.dng").read_bytes()
    good = add(session, "GOOD.DNG", raw)
    bad = add(session, name, make(raw))
    other = add(session, "OTHER.JPG", jpeg_bytes())
    results = {r.pk: services.ingest_rush(r.pk) for r in (good, bad, other)}
    assert results[bad.pk].ingest_status == Rush.Ingest.FAILED
    assert results[bad.pk].failure_reason == reason
    assert results[good.pk].ingest_status == Rush.Ingest.READY
    assert results[other.pk].ingest_status == Rush.Ingest.READY
    assert session.events.filter(name="rush.failed", payload__filename=name).exists()


def test_a_jpeg_renamed_cr2_is_still_a_picture(session):
    rush = services.ingest_rush(add(session, "IMG_0200.CR2", jpeg_bytes()).pk)
    assert rush.ingest_status == Rush.Ingest.READY


def test_the_same_file_twice_in_a_session_is_a_duplicate_stored_once(session):
    data = jpeg_bytes()
    first = services.add_rush(session, io.BytesIO(data), "A.JPG", enqueue=False)
    second = services.add_rush(session, io.BytesIO(data), "A copy.JPG", enqueue=False)
    assert not first.duplicate and second.duplicate
    assert second.rush.pk == first.rush.pk
    assert session.rushes.count() == 1


def test_a_rush_is_ingested_once_even_when_queued_twice(session):
    rush = add(session, "A.JPG", jpeg_bytes())
    assert services.ingest_rush(rush.pk) is not None
    assert services.ingest_rush(rush.pk) is None, "a ready rush is not processed again"
    rush.refresh_from_db()
    assert rush.attempts == 1


def test_a_rush_stuck_in_processing_by_a_dead_worker_can_be_taken_again(session):
    from datetime import timedelta

    from django.utils import timezone

    rush = add(session, "A.JPG", jpeg_bytes())
    Rush.objects.filter(pk=rush.pk).update(
        ingest_status=Rush.Ingest.PROCESSING,
        processing_started_at=timezone.now() - services.STALE_PROCESSING - timedelta(minutes=1),
    )
    assert services.ingest_rush(rush.pk).ingest_status == Rush.Ingest.READY


def test_a_rush_being_processed_by_a_live_worker_is_left_alone(session):
    from django.utils import timezone

    rush = add(session, "A.JPG", jpeg_bytes())
    Rush.objects.filter(pk=rush.pk).update(
        ingest_status=Rush.Ingest.PROCESSING, processing_started_at=timezone.now()
    )
    assert services.ingest_rush(rush.pk) is None


def test_retrying_a_failed_rush_replaces_its_proof_instead_of_adding_one(session):
    rush = add(session, "A.JPG", jpeg_bytes())
    services.ingest_rush(rush.pk)
    first_proof = Rush.objects.get(pk=rush.pk).proof.name
    Rush.objects.filter(pk=rush.pk).update(ingest_status=Rush.Ingest.FAILED)
    services.ingest_rush(rush.pk)
    rush.refresh_from_db()
    assert rush.proof.name == first_proof
    proofs_dir = Path(settings.PRIVATE_MEDIA_ROOT) / "proofs" / "sessions" / str(session.pk)
    assert sorted(p.name for p in proofs_dir.rglob("*.jpg")) == [
        f"{rush.pk}-thumb.jpg", f"{rush.pk}.jpg"
    ]


def test_the_first_rush_marks_a_booked_session_as_shot(session):
    assert session.status == PhotoSession.Status.BOOKED
    add(session, "A.JPG", jpeg_bytes())
    session.refresh_from_db()
    assert session.status == PhotoSession.Status.SHOT
    assert session.events.filter(name="session.shot").exists()
