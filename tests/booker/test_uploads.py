"""Rush uploads with the originals on the local disk: the studio page's uploader sends chunks
to the studio (booker.uploads), through the admin's views as the browser calls them."""

from __future__ import annotations

import hashlib
import io
import json
import os
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booker import roles, services
from booker.intake import uploads
from booker.models import PhotoSession, Rush, RushUpload
from tests.booker.factories_studio import jpeg, proofing_session
from tests.factories import UserFactory, user_with_role

Status = PhotoSession.Status
pytestmark = pytest.mark.django_db


def base(session) -> str:
    return reverse("admin:booker_photosession_uploads", args=[session.pk])


def start(client, session, name: str, data: bytes, **extra):
    return client.post(
        base(session),
        json.dumps({"filename": name, "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest()}),
        content_type="application/json", **extra,
    )


def chunk(client, session, upload: int, offset: int, data: bytes, **extra):
    return client.put(f"{base(session)}{upload}/chunk/?offset={offset}", data,
                      content_type="application/octet-stream", **extra)


def complete(client, session, upload: int, **extra):
    return client.post(f"{base(session)}{upload}/complete/", "{}",
                       content_type="application/json", **extra)


def send_all(client, session, name: str, data: bytes, part: int) -> dict:
    """The browser's whole path for one file: start, every chunk in order, complete."""
    opened = start(client, session, name, data).json()
    offset = opened["received"]
    while offset < len(data):
        offset = chunk(client, session, opened["upload"], offset,
                       data[offset:offset + part]).json()["received"]
    return complete(client, session, opened["upload"]).json()


def partial_files(settings) -> list:
    folder = settings.PRIVATE_MEDIA_ROOT / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def small_parts() -> int:
    """The browser sends part_size (16 MiB) chunks; the studio takes any chunk that continues
    the file, so small files walk the many-chunk path with small chunks."""
    return 1000


@pytest.fixture
def booked(photographer):
    return services.create_session(title="Mariage", client=UserFactory())


def test_a_file_sent_in_chunks_becomes_a_rush_and_its_proof_is_made(
    studio, booked, small_parts, settings, django_capture_on_commit_callbacks
):
    data = jpeg(1, (300, 200)) + b"\0" * 2500  # a JPEG still decodes with trailing bytes
    opened = start(studio, booked, "C:\\Cartes\\IMG_0001.JPG", data)
    assert opened.status_code == 201
    body = opened.json()
    assert body["status"] == "uploading" and body["mode"] == "local"
    assert body["part_size"] == 16 * 1024 * 1024
    assert (body["parts"], body["received"]) == ([], 0)
    upload = RushUpload.objects.get(pk=body["upload"])
    assert upload.key.startswith(f"sessions/{booked.pk}/originals/") and upload.key.endswith(".jpg")

    offset = 0
    while offset < len(data):
        answer = chunk(studio, booked, upload.pk, offset, data[offset:offset + small_parts])
        assert answer.status_code == 200
        offset = answer.json()["received"]
    assert offset == len(data)
    with django_capture_on_commit_callbacks(execute=True):
        done = complete(studio, booked, upload.pk)
    assert done.status_code == 201
    rush = Rush.objects.get()
    assert done.json() == {"status": "created", "rush": rush.pk, "stored_as": "IMG_0001.JPG"}
    assert (rush.size, rush.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert rush.original.name == upload.key
    with rush.original.open("rb") as fh:
        assert fh.read() == data
    rush.refresh_from_db()
    assert rush.ingest_status == Rush.Ingest.READY and rush.proof  # queued, and run (sync)
    upload.refresh_from_db()
    assert (upload.state, upload.rush) == (RushUpload.State.COMPLETE, rush)
    assert partial_files(settings) == []  # moved, not copied
    booked.refresh_from_db()
    assert booked.status == Status.SHOT


def test_a_closed_tab_resumes_where_the_studio_stopped(studio, booked, small_parts):
    data = os.urandom(5000)
    first = start(studio, booked, "IMG_0002.CR2", data).json()
    for offset in (0, 1000, 2000):
        chunk(studio, booked, first["upload"], offset, data[offset:offset + 1000])
    # The tab is closed; the same file is chosen again, by name or not.
    again = start(studio, booked, "renamed.CR2", data)
    assert again.status_code == 200
    assert again.json()["upload"] == first["upload"]
    assert again.json()["received"] == 3000
    for offset in (3000, 4000):
        assert chunk(studio, booked, first["upload"], offset,
                     data[offset:offset + 1000]).json() == {"received": offset + 1000}
    assert complete(studio, booked, first["upload"]).status_code == 201
    rush = Rush.objects.get()
    assert rush.original_filename == "IMG_0002.CR2"
    with rush.original.open("rb") as fh:
        assert fh.read() == data


def test_a_chunk_at_the_wrong_offset_is_refused_with_what_the_studio_has(studio, booked):
    data = os.urandom(3000)
    opened = start(studio, booked, "IMG_0003.CR2", data).json()
    chunk(studio, booked, opened["upload"], 0, data[:1000])
    ahead = chunk(studio, booked, opened["upload"], 2000, data[2000:])
    assert ahead.status_code == 409 and ahead.json()["received"] == 1000
    again = chunk(studio, booked, opened["upload"], 0, data[:1000])  # a retried chunk
    assert again.status_code == 409 and again.json()["received"] == 1000
    too_long = chunk(studio, booked, opened["upload"], 1000, data[1000:] + b"extra")
    assert too_long.status_code == 409 and "dépasse la fin" in too_long.json()["error"]
    early = complete(studio, booked, opened["upload"])
    assert early.status_code == 409
    assert "reçu 1000 octets sur 3000" in early.json()["error"]
    # Still open: the rest can come.
    assert chunk(studio, booked, opened["upload"], 1000, data[1000:]).json()["received"] == 3000
    assert complete(studio, booked, opened["upload"]).status_code == 201


def test_a_file_already_in_the_session_is_reported_before_any_byte_is_sent(
    studio, booked, small_parts, settings
):
    data = os.urandom(2500)
    created = send_all(studio, booked, "IMG_0004.CR2", data, small_parts)
    assert created["status"] == "created"
    again = start(studio, booked, "copy of IMG_0004.CR2", data)
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "rush": created["rush"],
                            "stored_as": "IMG_0004.CR2"}
    assert RushUpload.objects.count() == 1  # no upload opened for it
    assert partial_files(settings) == []


def test_two_tabs_uploading_the_same_file_store_it_once(studio, booked, settings):
    data = os.urandom(2000)
    first = start(studio, booked, "IMG_0005.CR2", data).json()
    chunk(studio, booked, first["upload"], 0, data)
    # The other tab's upload of the same file was closed meanwhile and got in first.
    other = services.add_rush(booked, io.BytesIO(data), "IMG_0005 (2).CR2", enqueue=False)
    done = complete(studio, booked, first["upload"])
    assert done.status_code == 200
    assert done.json() == {"status": "duplicate", "rush": other.rush.pk,
                           "stored_as": "IMG_0005 (2).CR2"}
    assert Rush.objects.count() == 1
    originals = settings.PRIVATE_MEDIA_ROOT / "originals" / "sessions" / str(booked.pk)
    assert len(list(originals.rglob("*.cr2"))) == 1
    assert partial_files(settings) == []


def test_bytes_that_do_not_match_the_fingerprint_are_refused_and_nothing_is_stored(
    studio, booked, settings
):
    data = os.urandom(2000)
    opened = start(studio, booked, "IMG_0006.CR2", data).json()
    damaged = bytes([data[0] ^ 1]) + data[1:]
    assert chunk(studio, booked, opened["upload"], 0, damaged).status_code == 200
    refused = complete(studio, booked, opened["upload"])
    assert refused.status_code == 409
    assert "ne correspond pas" in refused.json()["error"]
    assert "Rien n'a été enregistré" in refused.json()["error"]
    assert not Rush.objects.exists()
    assert RushUpload.objects.get().state == RushUpload.State.ABORTED
    assert partial_files(settings) == []
    assert not (settings.PRIVATE_MEDIA_ROOT / "originals" / "sessions" / str(booked.pk)).exists()
    # Choosing the file again starts over, cleanly.
    fresh = start(studio, booked, "IMG_0006.CR2", data).json()
    assert fresh["upload"] != opened["upload"] and fresh["received"] == 0


def test_a_session_whose_selection_is_submitted_takes_no_more_rushes(studio):
    session = proofing_session(1)
    data = os.urandom(1000)
    opened = start(studio, session, "IMG_0007.CR2", data).json()
    chunk(studio, session, opened["upload"], 0, data)
    services.set_pick(session, session.rushes.get().pk, True, user=session.client)
    services.submit_selection(session, user=session.client)
    late = complete(studio, session, opened["upload"])
    assert late.status_code == 409
    assert "rouvrez-la pour ajouter des photos" in late.json()["error"]
    refused = start(studio, session, "IMG_0008.CR2", os.urandom(1000))
    assert refused.status_code == 409
    assert session.rushes.count() == 1
    assert RushUpload.objects.get().state == RushUpload.State.ABORTED


def test_empty_or_unfingerprinted_files_are_refused_clearly(studio, booked):
    empty = studio.post(base(booked), json.dumps({"filename": "a.CR2", "size": 0,
                                                  "sha256": "0" * 64}),
                        content_type="application/json")
    assert empty.status_code == 409 and "vide" in empty.json()["error"]
    no_hash = studio.post(base(booked), json.dumps({"filename": "a.CR2", "size": 10}),
                          content_type="application/json")
    assert no_hash.status_code == 409 and "sha256" in no_hash.json()["error"]
    assert studio.get(base(booked)).status_code == 405


def test_abort_deletes_the_partial_file(studio, booked, settings):
    data = os.urandom(2000)
    opened = start(studio, booked, "IMG_0009.CR2", data).json()
    chunk(studio, booked, opened["upload"], 0, data[:1000])
    assert partial_files(settings) == [f"{opened['upload']}.part"]
    assert studio.delete(f"{base(booked)}{opened['upload']}/").status_code == 204
    assert partial_files(settings) == []
    assert RushUpload.objects.get().state == RushUpload.State.ABORTED
    closed = chunk(studio, booked, opened["upload"], 1000, data[1000:])
    assert closed.status_code == 409 and "clos" in closed.json()["error"]


def test_uploads_untouched_for_days_are_aborted(studio, booked, settings):
    old = start(studio, booked, "IMG_0010.CR2", b"old" * 100).json()
    chunk(studio, booked, old["upload"], 0, b"old")
    fresh = start(studio, booked, "IMG_0011.CR2", b"new" * 100).json()
    RushUpload.objects.filter(pk=old["upload"]).update(
        updated_at=timezone.now() - timedelta(days=4))
    assert uploads.abort_stale_uploads() == 1
    states = dict(RushUpload.objects.values_list("pk", "state"))
    assert states == {old["upload"]: "aborted", fresh["upload"]: "uploading"}
    assert partial_files(settings) == []


def test_the_cluster_aborts_stale_uploads_daily_through_a_schedule_made_by_migrate(
    studio, booked, settings
):
    from pydoc import locate  # how django-q's worker resolves a dotted func

    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="booker.abort_stale_uploads")
    assert (schedule.schedule_type, schedule.repeats) == (Schedule.DAILY, -1)
    old = start(studio, booked, "IMG_0012.CR2", b"old" * 100).json()
    RushUpload.objects.filter(pk=old["upload"]).update(
        updated_at=timezone.now() - timedelta(days=4))
    assert locate(schedule.func)() == "1 stale upload(s) aborted"
    assert RushUpload.objects.get(pk=old["upload"]).state == RushUpload.State.ABORTED


def test_parts_grow_for_huge_files_to_fit_s3s_10000_parts():
    assert uploads.part_size_for(80 * 2**20) == 16 * 2**20
    huge = 400 * 2**30  # 400 GiB at 16 MiB would be 25,600 parts
    size = uploads.part_size_for(huge)
    assert size % 2**20 == 0 and size * 10_000 >= huge and size < 42 * 2**20


@pytest.mark.parametrize("who", ["client", "retoucher"])
def test_people_who_do_not_run_the_studio_cannot_upload(booked, who):
    person = booked.client if who == "client" else user_with_role(roles.RETOUCHER)
    browser = Client()
    browser.force_login(person)
    data = os.urandom(100)
    answer = start(browser, booked, "IMG.CR2", data)
    assert answer.status_code in (302, 403)
    assert not RushUpload.objects.exists()
    # Nor can they push bytes into someone's open upload.
    photographer = Client()
    photographer.force_login(user_with_role(roles.PHOTOGRAPHER))
    opened = start(photographer, booked, "IMG.CR2", data).json()
    assert chunk(browser, booked, opened["upload"], 0, data).status_code in (302, 403)
    assert complete(browser, booked, opened["upload"]).status_code in (302, 403)
    assert RushUpload.objects.get().received == 0


def test_the_upload_api_checks_csrf(photographer, booked):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(photographer)
    token = browser.get(reverse("admin:booker_photosession_studio",
                                args=[booked.pk])).cookies["csrftoken"].value
    data = os.urandom(100)
    assert start(browser, booked, "IMG.CR2", data).status_code == 403
    opened = start(browser, booked, "IMG.CR2", data, HTTP_X_CSRFTOKEN=token)
    assert opened.status_code == 201
    upload = opened.json()["upload"]
    assert chunk(browser, booked, upload, 0, data).status_code == 403
    assert chunk(browser, booked, upload, 0, data, HTTP_X_CSRFTOKEN=token).status_code == 200


# --- Bad input: 4xx with a reason the photographer reads, never a 500 ------------------------


def _start_raw(client, session, body: str | bytes):
    return client.post(base(session), body, content_type="application/json")


def test_a_deeply_nested_json_body_is_refused_with_a_clear_message(studio, booked):
    for body in ("[" * 100_000, "[" * 50_000 + "]" * 50_000, '{"a":' * 50_000):
        answer = _start_raw(studio, booked, body)
        assert answer.status_code == 400
        assert answer.json() == {"status": "error", "error": "La demande de l'envoi est "
                                 "illisible (JSON invalide) : rechargez la page et réessayez."}
    assert not RushUpload.objects.exists()


def test_a_json_body_past_its_cap_is_refused(studio, booked):
    body = json.dumps({"filename": "a.CR2", "size": 10, "sha256": "0" * 64,
                       "padding": "x" * (uploads.MAX_JSON_BODY + 1)})
    answer = _start_raw(studio, booked, body)
    assert answer.status_code == 400 and "trop longue" in answer.json()["error"]


@pytest.mark.parametrize("size", [-1, -(2**63), "12", 1.5, True, None, [1], 1e300])
def test_a_declared_size_that_is_no_size_is_bad_input(studio, booked, size):
    answer = _start_raw(studio, booked, json.dumps(
        {"filename": "a.CR2", "size": size, "sha256": "0" * 64}))
    assert answer.status_code == 400
    assert answer.json()["error"] == ("La taille du fichier manque ou n'est pas un nombre entier "
                                      "d'octets : rechargez la page et réessayez.")
    assert not RushUpload.objects.exists()


@pytest.mark.parametrize("size", [4 * 2**30 + 1, 2**63 - 1, 2**63, 2**64, 10**40])
def test_a_declared_size_above_the_cap_is_refused_at_start_with_its_reason(
    studio, booked, size
):
    answer = _start_raw(studio, booked, json.dumps(
        {"filename": "IMG_0001.CR2", "size": size, "sha256": "0" * 64}))
    assert answer.status_code == 413
    error = answer.json()["error"]
    assert error.startswith("IMG_0001.CR2 est trop lourd")
    assert "au plus 4,0\xa0Gio par RAW" in error
    assert not RushUpload.objects.exists()


def test_the_cap_is_a_setting_and_a_file_of_exactly_the_cap_is_taken(studio, booked, settings):
    settings.BOOKER_MAX_RAW_BYTES = 3000
    data = os.urandom(3000)
    assert start(studio, booked, "IMG_0002.CR2", data).status_code == 201
    refused = start(studio, booked, "IMG_0003.CR2", os.urandom(3001))
    assert refused.status_code == 413 and "au plus 2,9\xa0Kio par RAW" in refused.json()["error"]


def test_part_numbers_that_are_not_numbers_are_bad_input(studio, booked):
    opened = start(studio, booked, "IMG_0004.CR2", os.urandom(100)).json()
    upload = RushUpload.objects.get(pk=opened["upload"])
    for numbers in (["x"], "abc", [1.5], [True], {"1": 1}, [float("inf")]):
        with pytest.raises(uploads.BadUploadRequest):
            uploads.part_urls(upload, numbers)
    answer = studio.post(f"{base(booked)}{opened['upload']}/parts/", "[" * 100_000,
                         content_type="application/json")
    assert answer.status_code == 400
