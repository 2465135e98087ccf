"""RAW → proof: real camera files, and broken ones that must fail alone with a reason."""

import io
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule
from PIL import Image

from booker import services
from booker.intake import ingest
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


@needs_samples
def test_a_process_that_decoded_a_raw_itself_still_decodes_the_next_in_a_child(settings):
    # LibRaw's OpenMP pool does not survive a fork: with it, the child decoding apart waited
    # for threads that were not there until the time limit (the Kodak file uses OpenMP).
    settings.BOOKER_INGEST_TIMEOUT_SECONDS = 20
    raw = SAMPLES / "kodak_dc50.kdc"
    alone, _, camera = ingest.decode(raw)
    apart, _, camera_apart = ingest.decode_apart(raw)
    assert apart.tobytes() == alone.tobytes() and camera_apart == camera


def test_a_decoding_child_killed_sends_its_rush_back_at_once_then_fails_it_alone(
    session, monkeypatch, settings
):
    # Out of memory, a crash in LibRaw: the worker lives and knows it at once, the rush is
    # taken again without waiting for a lease, and fails once its attempts are spent.
    monkeypatch.setattr(ingest, "decode", lambda path: os.kill(os.getpid(), signal.SIGKILL))
    tiff_shaped = io.BytesIO(b"II*\x00" + bytes(4096))
    rush = services.add_rush(session, tiff_shaped, "IMG_0001.CR2", enqueue=False).rush
    for attempt in range(1, settings.BOOKER_INGEST_MAX_ATTEMPTS):
        ingest.ingest_rush(rush.pk)
        rush.refresh_from_db()
        assert (rush.ingest_status, rush.attempts) == (Rush.Ingest.PENDING, attempt)
    ingest.ingest_rush(rush.pk)
    rush.refresh_from_db()
    assert rush.ingest_status == Rush.Ingest.FAILED
    assert rush.failure_reason.startswith(
        f"le traitement s'est arrêté {settings.BOOKER_INGEST_MAX_ATTEMPTS} fois")


def test_a_large_jpeg_proof_is_2048_on_its_long_edge_and_upright(session):
    # EXIF orientation 6: the camera was turned; the proof must be portrait.
    rush = add(session, "IMG_0100.JPG", jpeg_bytes((3000, 2000), exif_orientation=6))
    rush = services.ingest_rush(rush.pk)
    width, height = proof_of(rush).size
    assert height == 2048 and width in (1365, 1366)


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("EMPTY.CR2", lambda raw: b"", "fichier vide"),
        ("JUNK.NEF", lambda raw: b"\x00garbage" * 5000, "ce n’est pas un fichier RAW"),
        ("HALF.DNG", lambda raw: raw[: len(raw) // 2], "fichier tronqué"),
        ("RENAMED.CR2", lambda raw: jpeg_bytes()[:20_000], "fichier tronqué"),
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
    rush = add(session, "A.JPG", jpeg_bytes())
    Rush.objects.filter(pk=rush.pk).update(
        ingest_status=Rush.Ingest.PROCESSING, attempts=1,
        processing_started_at=timezone.now() - ingest.lease() - timedelta(seconds=1),
    )
    rush = services.ingest_rush(rush.pk)
    assert rush.ingest_status == Rush.Ingest.READY
    assert rush.attempts == 2


def test_a_rush_being_processed_by_a_live_worker_is_left_alone(session):
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


def proof_files(session) -> list[str]:
    proofs_dir = Path(settings.PRIVATE_MEDIA_ROOT) / "proofs" / "sessions" / str(session.pk)
    return sorted(p.name for p in proofs_dir.rglob("*.jpg"))


def test_a_worker_that_lost_its_lease_writes_nothing_and_leaves_a_single_proof(
    session, settings
):
    rush = add(session, "A.JPG", jpeg_bytes())
    late = ingest.claim(rush.pk)
    settings.BOOKER_INGEST_LEASE_SECONDS = 0  # the first worker's lease runs out at once
    taker = ingest.claim(rush.pk)
    assert taker is not None and taker.attempt == late.attempt + 1
    assert ingest.process(taker).ingest_status == Rush.Ingest.READY
    ready = Rush.objects.get(pk=rush.pk)

    assert ingest.process(late) is None, "the late worker's result is dropped"

    rush.refresh_from_db()
    assert (rush.ingest_status, rush.attempts, rush.processing_started_at) == (
        Rush.Ingest.READY, taker.attempt, ready.processing_started_at
    )
    assert proof_files(session) == [f"{rush.pk}-thumb.jpg", f"{rush.pk}.jpg"]


def test_a_late_worker_cannot_mark_a_rush_failed_after_another_made_it_ready(session, settings):
    rush = add(session, "A.JPG", jpeg_bytes())
    late = ingest.claim(rush.pk)
    settings.BOOKER_INGEST_LEASE_SECONDS = 0
    ingest.process(ingest.claim(rush.pk))
    (Path(settings.PRIVATE_MEDIA_ROOT) / "originals" / rush.original.name).unlink()

    assert ingest.process(late) is None
    assert Rush.objects.get(pk=rush.pk).ingest_status == Rush.Ingest.READY
    assert not session.events.filter(name="rush.failed").exists()


def stall(rush: Rush, attempts: int = 1) -> None:
    Rush.objects.filter(pk=rush.pk).update(
        ingest_status=Rush.Ingest.PROCESSING, attempts=attempts,
        processing_started_at=timezone.now() - ingest.lease() - timedelta(seconds=1),
    )


def test_the_sweeper_queues_again_a_rush_whose_worker_died_and_leaves_live_ones(
    session, django_capture_on_commit_callbacks
):
    dead = add(session, "DEAD.JPG", jpeg_bytes())
    live = add(session, "LIVE.JPG", jpeg_bytes((900, 600)))
    stall(dead)
    Rush.objects.filter(pk=live.pk).update(
        ingest_status=Rush.Ingest.PROCESSING, attempts=1, processing_started_at=timezone.now()
    )
    # The test cluster is synchronous: the queued task runs as soon as it is queued.
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest.requeue_stalled_rushes() == 1

    dead.refresh_from_db()
    live.refresh_from_db()
    assert (dead.ingest_status, dead.attempts) == (Rush.Ingest.READY, 2)
    assert live.ingest_status == Rush.Ingest.PROCESSING


def test_the_sweeper_queues_a_rush_whose_worker_died_once_even_if_the_queue_looks_empty(
    session, django_capture_on_commit_callbacks
):
    # Seen with a real cluster: a worker took the task at once, the queue looked empty, and the
    # same rush, pending again, was counted (and queued) a second time as a lost one.
    dead = add(session, "DEAD.JPG", jpeg_bytes())
    stall(dead)
    Rush.objects.filter(pk=dead.pk).update(created_at=timezone.now() - ingest.lease() * 2)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert ingest.requeue_stalled_rushes() == 1
    assert len(queued) == 1


def test_a_file_that_kills_its_worker_every_time_fails_alone_with_its_reason(session, settings):
    rush = add(session, "KILLER.NEF", jpeg_bytes())
    stall(rush, attempts=settings.BOOKER_INGEST_MAX_ATTEMPTS)

    assert ingest.requeue_stalled_rushes() == 0

    rush.refresh_from_db()
    assert rush.ingest_status == Rush.Ingest.FAILED
    assert rush.failure_reason.startswith("le traitement s'est arrêté 3 fois en lisant ce fichier")
    assert session.events.filter(name="rush.failed", payload__filename="KILLER.NEF").exists()


def test_a_person_retrying_a_rush_starts_its_count_of_attempts_afresh(session, settings):
    rush = add(session, "KILLER.NEF", jpeg_bytes())
    stall(rush, attempts=settings.BOOKER_INGEST_MAX_ATTEMPTS)
    ingest.requeue_stalled_rushes()
    services.retry_rushes(Rush.objects.filter(pk=rush.pk))
    assert Rush.objects.get(pk=rush.pk).attempts == 0
    assert services.ingest_rush(rush.pk).ingest_status == Rush.Ingest.READY


def test_the_sweeper_queues_a_pending_rush_whose_task_was_lost(
    session, django_capture_on_commit_callbacks
):
    lost = add(session, "LOST.JPG", jpeg_bytes())
    fresh = add(session, "NEW.JPG", jpeg_bytes((900, 600)))
    Rush.objects.filter(pk=lost.pk).update(created_at=timezone.now() - ingest.lease() * 2)

    with django_capture_on_commit_callbacks(execute=True):
        assert ingest.requeue_stalled_rushes() == 1

    assert Rush.objects.get(pk=lost.pk).ingest_status == Rush.Ingest.READY
    assert Rush.objects.get(pk=fresh.pk).ingest_status == Rush.Ingest.PENDING


def test_migrate_installs_the_sweeper_schedule_every_minute(db):
    schedule = Schedule.objects.get(name=ingest.SWEEPER)
    assert schedule.func == "booker.tasks.requeue_stalled_rushes"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)



@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("HALF.DNG", lambda raw: raw[: len(raw) // 2], "fichier tronqué"),
        ("SHORT.DNG", lambda raw: raw[: len(raw) - 4096], "fichier tronqué"),
    ],
)
def test_a_broken_raw_on_the_half_size_path_fails_alone_with_its_reason(
    session, tmp_path, name, make, reason
):
    # A RAW whose preview is too small for a proof (as Sony's): decoded in strips from the
    # sensor data (booker/halfsize.py). A damaged one still fails alone, with its reason.
    from bench.dng import write_dng

    raw = write_dng(tmp_path / "IMG.DNG", 600, 400, preview="sony", seed=4).read_bytes()
    good = add(session, "GOOD.DNG", raw)
    bad = add(session, name, make(raw))
    other = add(session, "OTHER.JPG", jpeg_bytes())
    results = {r.pk: services.ingest_rush(r.pk) for r in (good, bad, other)}
    assert results[bad.pk].ingest_status == Rush.Ingest.FAILED
    assert results[bad.pk].failure_reason == reason
    assert results[good.pk].ingest_status == Rush.Ingest.READY
    assert proof_of(results[good.pk]).size == (300, 200)
    assert results[other.pk].ingest_status == Rush.Ingest.READY
