"""The archive tier on the local disk: originals move to `archive/` only once their copy is
verified, come back on request, and no path deletes an original without a verified copy."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from booker import roles, services
from booker.archive import services as archive
from booker.models import FinalPhoto, Membership, PhotoSession, Rush, SessionEvent
from booker.storage import (
    PrivateFileSystemStorage,
    UnsafeDelete,
    archive_storage,
    originals_storage,
    proofs_storage,
)
from tests.booker.factories_studio import delivered_session, proofing_session
from tests.factories import CompanyFactory, MembershipFactory, user_with_role

Status = PhotoSession.Status
Tier = Rush.Tier


class CorruptingArchive(PrivateFileSystemStorage):
    """An archive whose copies come out with one byte changed (a bad disk, a bad transfer);
    only the files named in `corrupt`, or all of them when it is empty."""

    def __init__(self, corrupt: tuple[str, ...] = (), **kwargs):
        self.corrupt = set(corrupt)
        super().__init__(**kwargs)

    def _save(self, name, content):
        if self.corrupt and name not in self.corrupt:
            return super()._save(name, content)
        data = bytearray(content.read())
        data[len(data) // 2] ^= 0xFF
        return super()._save(name, ContentFile(bytes(data)))


class FullArchive(PrivateFileSystemStorage):
    """An archive disk with no room left: every copy raises."""

    def _save(self, name, content):
        raise OSError(28, "No space left on device")


def use_archive(settings, backend: type, **options) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {"BACKEND": f"{__name__}.{backend.__name__}",
                    "OPTIONS": {"subdir": "archive", **options}},
    }


def sha256_file(storage, name: str) -> str:
    with storage.open(name, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def originals(session: PhotoSession) -> list[Rush]:
    return list(session.rushes.order_by("pk"))


@pytest.fixture
def photographer(db):
    return user_with_role(roles.PHOTOGRAPHER, email="studio@example.test")


@pytest.fixture
def delivered(photographer):
    session, _ = delivered_session(picks=2)
    PhotoSession.objects.filter(pk=session.pk).update(photographer=photographer)
    session.refresh_from_db()
    return session


def archived(session: PhotoSession) -> PhotoSession:
    report = archive.archive_session(session, actor=None)
    assert report.complete, report.failed
    return session


# --- Archiving ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_archiving_moves_every_original_to_the_archive_verified_and_keeps_proofs_and_finals(
    delivered,
):
    rushes = originals(delivered)
    finals = list(FinalPhoto.objects.filter(job__session=delivered))
    assert len(rushes) == 3 and len(finals) == 2

    report = archive.archive_session(delivered, actor=None)

    assert (report.archived, report.reused, report.failed) == (3, 0, [])
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    for rush in rushes:
        name = rush.original.name
        rush.refresh_from_db()
        assert rush.original_tier == Tier.ARCHIVE
        assert rush.archive_verified_at is not None
        assert not originals_storage().exists(name)
        assert sha256_file(archive_storage(), name) == rush.sha256
        # The client's gallery and the studio's thumbnails do not move.
        assert proofs_storage().exists(rush.proof.name)
        assert proofs_storage().exists(rush.thumbnail.name)
    for final in finals:
        assert originals_storage().exists(final.file.name)
    assert delivered.events.filter(name="session.archived").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [CorruptingArchive, FullArchive])
def test_a_failed_or_corrupted_copy_leaves_every_original_online_and_deletes_nothing(
    settings, delivered, backend
):
    use_archive(settings, backend)
    rushes = originals(delivered)
    before = {r.original.name: sha256_file(originals_storage(), r.original.name) for r in rushes}

    report = archive.archive_session(delivered, actor=None)

    assert report.archived == 0 and len(report.failed) == 3
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    for rush in rushes:
        rush.refresh_from_db()
        assert rush.original_tier == Tier.ONLINE and rush.archive_verified_at is None
        assert sha256_file(originals_storage(), rush.original.name) == before[rush.original.name]
    reasons = list(delivered.events.filter(name="archive.failed").values_list("payload", flat=True))
    assert len(reasons) == 3
    expected = "does not match" if backend is CorruptingArchive else "No space left"
    assert all(expected in r["reason"] for r in reasons)


@pytest.mark.django_db
def test_one_bad_copy_fails_alone_and_the_next_run_finishes_the_session(settings, delivered):
    rushes = originals(delivered)
    bad = rushes[1]
    use_archive(settings, CorruptingArchive, corrupt=[bad.original.name])

    report = archive.archive_session(delivered, actor=None)

    assert report.archived == 2
    assert report.failed == [(bad.original_filename, report.failed[0][1])]
    assert Rush.objects.get(pk=bad.pk).original_tier == Tier.ONLINE
    assert originals_storage().exists(bad.original.name)
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED  # not every original is archived

    use_archive(settings, PrivateFileSystemStorage)  # the archive disk is mended
    report = archive.archive_session(delivered, actor=None)

    # The bad copy was replaced by a good one; the two done ones were not touched again.
    assert (report.archived, report.reused, report.failed) == (1, 0, [])
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    assert sha256_file(archive_storage(), bad.original.name) == bad.sha256


class StuckDeletes(PrivateFileSystemStorage):
    """An online disk whose deletes of the files named in `stuck` fail, as the delete a worker
    killed just after marking the rush archived never happened."""

    stuck: set[str] = set()

    def delete(self, name):
        if name in self.stuck:
            raise OSError(5, "Input/output error")
        return super().delete(name)


@pytest.mark.django_db
def test_an_online_copy_left_by_an_interrupted_run_is_removed_before_the_session_is_archived(
    settings, delivered, monkeypatch
):
    rushes = originals(delivered)
    left = rushes[0].original.name
    monkeypatch.setattr(StuckDeletes, "stuck", {left})
    settings.STORAGES = {
        **settings.STORAGES,
        "originals": {"BACKEND": f"{__name__}.StuckDeletes", "OPTIONS": {"subdir": "originals"}},
    }

    report = archive.archive_session(delivered, actor=None)

    # Every rush is archived and verified, but one online copy is still there: the session is
    # not called archived, so the next daily run comes back to it.
    assert report.archived == 3 and report.failed == []
    assert Rush.objects.filter(pk=rushes[0].pk, original_tier=Tier.ARCHIVE).exists()
    assert originals_storage().exists(left)
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    assert archive.sessions_due_for_archive(timezone.now() + timedelta(days=400)).filter(
        pk=delivered.pk).exists()

    monkeypatch.setattr(StuckDeletes, "stuck", set())  # the disk answers again
    report = archive.archive_session(delivered, actor=None)

    assert (report.archived, report.reused, report.failed) == (0, 0, [])
    assert not originals_storage().exists(left)
    assert sha256_file(archive_storage(), left) == rushes[0].sha256
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    assert not any(originals_storage().exists(r.original.name) for r in rushes)


@pytest.mark.django_db
def test_archiving_again_is_harmless_and_a_restored_session_reuses_its_verified_copies(
    delivered,
):
    archived(delivered)
    events = SessionEvent.objects.count()

    again = archive.archive_session(delivered, actor=None)

    assert (again.archived, again.reused, again.failed) == (0, 0, [])
    assert SessionEvent.objects.count() == events

    archive.request_restore(delivered, actor=None)
    archive.check_restores()
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    copies = {r.original.name: os.stat(archive_storage().path(r.original.name)).st_mtime_ns
              for r in originals(delivered)}

    report = archive.archive_session(delivered, actor=None)

    assert (report.archived, report.reused, report.failed) == (0, 3, [])
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    for name, mtime in copies.items():
        assert os.stat(archive_storage().path(name)).st_mtime_ns == mtime  # not copied again
        assert not originals_storage().exists(name)


@pytest.mark.django_db
def test_only_a_delivered_session_can_be_archived():
    session = proofing_session(2)
    with pytest.raises(services.StudioError, match="livrée"):
        archive.archive_session(session, actor=None)
    with pytest.raises(services.StudioError, match="livrée"):
        archive.queue_archive(session, actor=None)
    assert not session.rushes.exclude(original_tier=Tier.ONLINE).exists()


class Clock:
    """time.monotonic for booker.archive: each reading is one second after the last."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        self.now += 1
        return self.now


@pytest.mark.django_db
def test_an_archive_task_out_of_time_stops_between_files_and_queues_the_rest_until_done(
    delivered, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from booker import tasks

    # Two readings fit in a run: the deadline's own, then one file.
    monkeypatch.setattr(archive, "time", Clock())
    settings.BOOKER_ARCHIVE_RUN_SECONDS = 2
    with django_capture_on_commit_callbacks(execute=True) as queued:
        result = tasks.archive_session(delivered.pk)

    assert result.startswith("archived 1, reused 0, failed 0") and "queued again" in result
    # The tasks it queued ran at once (the test's queue is synchronous), one file each: three
    # originals, so queued twice, and then nothing is left (the third callback is the session's
    # `archived` event, heard by the automation engine).
    archive_tasks = [c for c in queued if "queue_archive" in c.__qualname__]
    assert len(archive_tasks) == 2
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    assert not delivered.rushes.filter(original_tier=Tier.ONLINE).exists()
    assert not delivered.events.filter(name="archive.failed").exists()


@pytest.mark.django_db
def test_an_archive_run_out_of_time_leaves_the_rest_online_and_the_session_delivered(delivered):
    report = archive.archive_session(delivered, actor=None, deadline=0.0)

    assert (report.archived, report.unfinished, report.complete) == (0, True, False)
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    assert delivered.rushes.filter(original_tier=Tier.ONLINE).count() == 3


@pytest.mark.django_db
def test_the_daily_run_queues_the_sessions_it_has_no_time_left_for(
    delivered, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.BOOKER_ARCHIVE_AFTER_DAYS = 30
    PhotoSession.objects.filter(pk=delivered.pk).update(
        status_changed_at=timezone.now() - timedelta(days=31))
    queued = []
    monkeypatch.setattr(archive, "queue_archive",
                        lambda session, actor: queued.append(session.pk))

    reports = archive.archive_due_sessions(deadline=0.0)

    assert reports == [] and queued == [delivered.pk]
    assert delivered.rushes.filter(original_tier=Tier.ONLINE).count() == 3


@pytest.mark.django_db
def test_a_restore_check_out_of_time_leaves_the_rest_for_the_next_check(delivered, photographer):
    archived(delivered)
    archive.request_restore(delivered, actor=photographer)

    progress = archive.check_restores(deadline=0.0)

    assert [p.back_online for p in progress] == [0]
    delivered.refresh_from_db()
    assert delivered.status == Status.RESTORING
    assert Schedule.objects.filter(name=archive.RESTORE_CHECK_SCHEDULE).exists()
    assert [p.back_online for p in archive.check_restores()] == [3]


# --- Nothing deletes an original without a verified copy ----------------------------------------


@pytest.mark.django_db
def test_the_storages_refuse_to_delete_an_original_that_has_no_verified_archived_copy(delivered):
    rush = originals(delivered)[0]
    name = rush.original.name

    with pytest.raises(UnsafeDelete):
        originals_storage().delete(name)
    with pytest.raises(UnsafeDelete):
        rush.original.delete(save=False)
    assert originals_storage().exists(name)

    # Archived but its copy never verified (a row edited by hand): still refused.
    Rush.objects.filter(pk=rush.pk).update(original_tier=Tier.ARCHIVE)
    with pytest.raises(UnsafeDelete):
        originals_storage().delete(name)
    assert originals_storage().exists(name)


@pytest.mark.django_db
def test_the_archive_refuses_to_delete_the_only_copy_of_an_archived_original(delivered):
    archived(delivered)
    rush = originals(delivered)[0]

    with pytest.raises(UnsafeDelete):
        archive_storage().delete(rush.original.name)
    assert archive_storage().exists(rush.original.name)


@pytest.mark.django_db
def test_replacing_a_final_still_deletes_the_replaced_file(delivered):
    # Finals share the originals storage; the guard is about rushes' originals only.
    final = FinalPhoto.objects.filter(job__session=delivered).first()
    name = final.file.name
    originals_storage().delete(name)
    assert not originals_storage().exists(name)


@pytest.mark.django_db
def test_deleting_a_session_row_deletes_no_file(delivered):
    # Django deletes rows, never files, when a row goes (no django-cleanup here): the
    # cascade from a session to its rushes leaves every original where it is.
    names = [r.original.name for r in originals(delivered)]
    delivered.delete()
    assert all(originals_storage().exists(n) for n in names)


# --- When --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sessions_delivered_longer_than_the_delay_are_archived_and_no_others(settings):
    settings.BOOKER_ARCHIVE_AFTER_DAYS = 30
    now = timezone.now()
    old, _ = delivered_session(picks=1, title="Mariage 2025")
    recent, _ = delivered_session(picks=1, title="Baptême")
    PhotoSession.objects.filter(pk=old.pk).update(status_changed_at=now - timedelta(days=31))
    PhotoSession.objects.filter(pk=recent.pk).update(status_changed_at=now - timedelta(days=29))
    proofing = proofing_session(1, title="En cours")
    PhotoSession.objects.filter(pk=proofing.pk).update(status_changed_at=now - timedelta(days=90))

    reports = archive.archive_due_sessions(now=now)

    assert [r.session.pk for r in reports] == [old.pk]
    statuses = dict(PhotoSession.objects.values_list("pk", "status"))
    assert statuses[old.pk] == Status.ARCHIVED
    assert statuses[recent.pk] == Status.DELIVERED
    assert statuses[proofing.pk] == Status.PROOFING

    later = archive.archive_due_sessions(now=now + timedelta(days=2))
    assert [r.session.pk for r in later] == [recent.pk]


@pytest.mark.django_db
def test_the_daily_archive_run_is_scheduled_by_the_migrations():
    schedule = Schedule.objects.get(name=archive.ARCHIVE_SCHEDULE)
    assert schedule.func == "booker.tasks.archive_due_sessions"
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1


# --- Restoring ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_restore_shows_restoring_then_brings_back_verified_originals_and_tells_everyone(
    delivered, photographer, django_capture_on_commit_callbacks
):
    archived(delivered)
    rushes = originals(delivered)
    mail.outbox.clear()

    archive.request_restore(delivered, actor=photographer)

    delivered.refresh_from_db()
    assert delivered.status == Status.RESTORING
    assert Schedule.objects.filter(name=archive.RESTORE_CHECK_SCHEDULE).exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        progress = archive.check_restores()

    assert [p.back_online for p in progress] == [3]
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED
    for rush in rushes:
        rush.refresh_from_db()
        assert rush.original_tier == Tier.ONLINE
        assert sha256_file(originals_storage(), rush.original.name) == rush.sha256
        assert archive_storage().exists(rush.original.name)  # kept for the next archive
        assert rush.archive_verified_at is not None
    names = list(delivered.events.values_list("name", flat=True))
    assert names[-2:] == ["session.restoring", "session.restored"]
    assert not Schedule.objects.filter(name=archive.RESTORE_CHECK_SCHEDULE).exists()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [photographer.email, delivered.client.email]
    )
    for message in mail.outbox:
        assert delivered.title in message.subject
        assert message.alternatives and message.alternatives[0][1] == "text/html"
    to_client = next(m for m in mail.outbox if m.to == [delivered.client.email])
    assert reverse("portal:session", args=[delivered.pk]) in to_client.body
    to_studio = next(m for m in mail.outbox if m.to == [photographer.email])
    assert reverse("admin:booker_photosession_studio", args=[delivered.pk]) in to_studio.body


@pytest.mark.django_db
def test_a_restore_request_queues_the_check_at_once(
    delivered, django_capture_on_commit_callbacks
):
    archived(delivered)
    with django_capture_on_commit_callbacks(execute=True):
        archive.request_restore(delivered, actor=None)
    delivered.refresh_from_db()
    # The test cluster runs tasks synchronously: the local archive is readable at once.
    assert delivered.status == Status.DELIVERED


@pytest.mark.django_db
def test_a_company_session_tells_the_company_managers_when_restored(
    photographer, django_capture_on_commit_callbacks
):
    company = CompanyFactory()
    manager = MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    MembershipFactory(company=company)  # a plain member: not told
    session, _ = delivered_session(picks=1, client=None, company=company)
    archived(session)
    archive.request_restore(session, actor=None)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        archive.check_restores()

    assert [m.to for m in mail.outbox] == [[manager.email]]


@pytest.mark.django_db
def test_a_copy_back_that_does_not_match_keeps_the_session_restoring_and_says_so_once(delivered):
    archived(delivered)
    bad = originals(delivered)[0]
    Path(archive_storage().path(bad.original.name)).write_bytes(b"bit rot")
    archive.request_restore(delivered, actor=None)
    mail.outbox.clear()

    archive.check_restores()
    archive.check_restores()

    delivered.refresh_from_db()
    assert delivered.status == Status.RESTORING
    assert Rush.objects.get(pk=bad.pk).original_tier == Tier.ARCHIVE
    assert delivered.rushes.filter(original_tier=Tier.ONLINE).count() == 2
    failures = delivered.events.filter(name="restore.failed")
    assert failures.count() == 1
    assert "does not match" in failures.get().payload["reason"]
    assert mail.outbox == []
    assert Schedule.objects.filter(name=archive.RESTORE_CHECK_SCHEDULE).exists()


@pytest.mark.django_db
def test_restore_is_refused_unless_the_session_is_archived(delivered):
    with pytest.raises(services.IllegalTransition):
        archive.request_restore(delivered, actor=None)
    archived(delivered)
    with pytest.raises(services.IllegalTransition):
        services.transition(delivered, Status.DELIVERED, actor=None)  # only through restoring
    archive.request_restore(delivered, actor=None)
    with pytest.raises(services.IllegalTransition):
        archive.request_restore(delivered, actor=None)
    with pytest.raises(services.StudioError):
        archive.archive_session(delivered, actor=None)  # not while restoring


# --- The back office and the client ------------------------------------------------------------


def studio_url(session: PhotoSession, name: str = "studio", *args) -> str:
    return reverse(f"admin:booker_photosession_{name}", args=[session.pk, *args])


@pytest.mark.django_db
def test_the_studio_page_archives_now_then_restores_and_shows_each_state(
    studio, delivered, django_capture_on_commit_callbacks
):
    page = studio.get(studio_url(delivered)).content.decode()
    assert "Archiver maintenant" in page and "Restaurer les originaux" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = studio.post(studio_url(delivered, "step", "archive"))
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    page = studio.get(studio_url(delivered)).content.decode()
    assert "archivés — hors ligne" in page and "Restaurer les originaux" in page
    assert "Archiver maintenant" not in page

    response = studio.post(studio_url(delivered, "step", "restore"), follow=True)
    delivered.refresh_from_db()
    assert delivered.status == Status.RESTORING
    assert "restauration en cours…" in response.content.decode()
    changelist = studio.get(reverse("admin:booker_photosession_changelist")).content.decode()
    assert "restauration des originaux…" in changelist


@pytest.mark.django_db
def test_the_session_list_actions_archive_and_restore(
    studio, delivered, django_capture_on_commit_callbacks
):
    changelist = reverse("admin:booker_photosession_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        studio.post(changelist, {"action": "archive_now", "_selected_action": [delivered.pk]})
    delivered.refresh_from_db()
    assert delivered.status == Status.ARCHIVED
    assert "archivée — originaux hors ligne" in studio.get(changelist).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        studio.post(changelist, {"action": "restore_originals",
                                 "_selected_action": [delivered.pk]})
    delivered.refresh_from_db()
    assert delivered.status == Status.DELIVERED


@pytest.mark.django_db
def test_a_refused_archive_button_says_why(studio):
    session = proofing_session(1)
    response = studio.post(studio_url(session, "step", "archive"), follow=True)
    assert any("livrée" in str(m) for m in response.context["messages"])
    session.refresh_from_db()
    assert session.status == Status.PROOFING


@pytest.mark.django_db
@pytest.mark.parametrize("restoring", [False, True])
def test_the_client_still_sees_proofs_and_downloads_finals_of_an_archived_session(
    client, delivered, restoring
):
    archived(delivered)
    if restoring:
        archive.request_restore(delivered, actor=None)
    client.force_login(delivered.client)
    final = FinalPhoto.objects.filter(job__session=delivered).select_related("job").first()

    page = client.get(reverse("portal:session", args=[delivered.pk]))
    assert page.status_code == 200
    assert reverse("portal:final-download", args=[final.pk]) in page.content.decode()
    assert client.get(reverse("portal:home")).status_code == 200
    download = client.get(reverse("portal:final-download", args=[final.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)
    thumb = client.get(reverse("portal:rush-thumb", args=[final.job.rush_id]))
    assert thumb.status_code == 200
    assert client.get(reverse("portal:delivery-zip", args=[delivered.pk])).status_code == 200


@pytest.mark.django_db
def test_reprocessing_an_archived_rush_fails_with_a_reason_that_says_restore_first(delivered):
    rush = originals(archived(delivered))[0]
    Rush.objects.filter(pk=rush.pk).update(ingest_status=Rush.Ingest.FAILED)

    services.ingest_rush(rush.pk)

    rush.refresh_from_db()
    assert rush.ingest_status == Rush.Ingest.FAILED
    assert "restaurez" in rush.failure_reason
    assert rush.original_tier == Rush.Tier.ARCHIVE
