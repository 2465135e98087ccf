"""A session's life: every status change goes through one function that refuses illegal
moves, records who and when, and emits a domain event."""

import io
import os
import threading
from decimal import Decimal

import pytest
from django.db import connection

from booker import roles, services
from booker.models import PhotoSession, RetouchJob, SelectionItem, SessionEvent
from tests.booker.test_ingest import jpeg_bytes
from tests.factories import UserFactory, user_with_role

Status = PhotoSession.Status


def session_in_proofing(n: int = 4, quota: int = 2, extra_price=None) -> PhotoSession:
    client = UserFactory()
    session = services.create_session(
        title="Mariage", client=client, quota=quota, extra_photo_price=extra_price
    )
    for i in range(n):
        added = services.add_rush(
            session,
            io.BytesIO(jpeg_bytes((64, 48), (i * 40 % 255, 90, 120))),
            f"IMG_{i:04}.CR2",
            enqueue=False,
        )
        services.ingest_rush(added.rush.pk)
    services.publish_proofs(session, actor=None)
    return session


@pytest.mark.django_db
def test_the_whole_path_from_booked_to_archived_records_one_event_per_step():
    photographer = user_with_role(roles.PHOTOGRAPHER)
    retoucher = user_with_role(roles.RETOUCHER)
    session = session_in_proofing(n=3, quota=2)
    client = session.client
    rush_ids = list(session.rushes.values_list("pk", flat=True))
    services.set_pick(session, rush_ids[0], True, user=client)
    services.set_pick(session, rush_ids[2], True, user=client)
    services.set_comment(session, rush_ids[2], "recadrer plus serré", user=client)
    services.submit_selection(session, user=client)
    jobs = services.start_retouching(session, actor=photographer)
    assert sorted(j.rush_id for j in jobs) == [rush_ids[0], rush_ids[2]]
    assert {j.instructions for j in jobs} == {"", "recadrer plus serré"}
    services.assign_jobs(jobs, retoucher, actor=photographer)
    report = services.upload_finals(
        [
            ("IMG_0000-edit.jpg", io.BytesIO(jpeg_bytes((60, 40)))),
            ("IMG_0002_final.jpg", io.BytesIO(jpeg_bytes((60, 40)))),
            ("holiday.jpg", io.BytesIO(b"??")),
        ],
        jobs=services_jobs(retoucher),
        actor=retoucher,
    )
    assert [name for name, _ in report.matched] == ["IMG_0000-edit.jpg", "IMG_0002_final.jpg"]
    assert report.unmatched == ["holiday.jpg"]
    with pytest.raises(services.StudioError, match="pas encore validée"):
        services.deliver(session, actor=photographer)
    for job in RetouchJob.objects.filter(session=session):
        services.move_job(job, RetouchJob.Status.DONE, actor=photographer)
    services.deliver(session, actor=photographer)
    services.transition(session, Status.ARCHIVED, actor=photographer)

    names = list(session.events.filter(name__startswith="session.").values_list("name", flat=True))
    assert names == [
        "session.booked",
        "session.shot",
        "session.proofing",
        "session.selection_submitted",
        "session.retouching",
        "session.delivered",
        "session.archived",
    ]
    submitted = session.events.get(name="session.selection_submitted")
    assert submitted.actor == client and submitted.payload == {"picked": 2}


def services_jobs(retoucher):
    from booker import selectors

    return selectors.jobs_of(retoucher)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Status.BOOKED, Status.PROOFING),
        (Status.PROOFING, Status.DELIVERED),
        (Status.DELIVERED, Status.PROOFING),
        (Status.CANCELLED, Status.BOOKED),
        (Status.ARCHIVED, Status.DELIVERED),
    ],
)
def test_an_illegal_transition_is_refused_and_changes_nothing(start, to):
    session = services.create_session(title="x", client=UserFactory())
    PhotoSession.objects.filter(pk=session.pk).update(status=start)
    session.refresh_from_db()
    before = SessionEvent.objects.count()
    with pytest.raises(services.IllegalTransition):
        services.transition(session, to, actor=None)
    session.refresh_from_db()
    assert session.status == start
    assert SessionEvent.objects.count() == before


@pytest.mark.django_db
def test_a_session_belongs_to_a_client_or_a_company_never_both_nor_neither():
    from tests.factories import CompanyFactory

    with pytest.raises(services.StudioError):
        services.create_session(title="x")
    with pytest.raises(services.StudioError):
        services.create_session(title="x", client=UserFactory(), company=CompanyFactory())


@pytest.mark.django_db
def test_package_terms_are_copied_at_booking():
    from booker.models import Package

    package = Package.objects.create(
        name="Portrait", photos_included=10, extra_photo_price=Decimal("15.00")
    )
    session = services.create_session(title="x", client=UserFactory(), package=package)
    package.photos_included = 99
    package.save()
    session.refresh_from_db()
    assert (session.quota, session.extra_photo_price) == (10, Decimal("15.00"))


@pytest.mark.django_db
def test_picking_is_idempotent():
    session = session_in_proofing()
    rush = session.rushes.first()
    for _ in range(3):
        services.set_pick(session, rush.pk, True, user=session.client)
    assert SelectionItem.objects.filter(selection__session=session, picked=True).count() == 1
    for _ in range(2):
        services.set_pick(session, rush.pk, False, user=session.client)
    assert SelectionItem.objects.filter(selection__session=session, picked=True).count() == 0


@pytest.mark.django_db
def test_the_quota_is_a_hard_limit_when_the_package_sells_no_extras():
    session = session_in_proofing(n=4, quota=2)
    ids = list(session.rushes.values_list("pk", flat=True))
    services.set_pick(session, ids[0], True, user=session.client)
    services.set_pick(session, ids[1], True, user=session.client)
    with pytest.raises(services.StudioError, match="inclut 2 photos"):
        services.set_pick(session, ids[2], True, user=session.client)


@pytest.mark.django_db
def test_picks_above_the_quota_wait_for_their_payment_before_the_studio_may_retouch():
    session = session_in_proofing(n=4, quota=2, extra_price=Decimal("12.00"))
    for pk in session.rushes.values_list("pk", flat=True)[:3]:
        services.set_pick(session, pk, True, user=session.client)

    event = services.submit_selection(session, user=session.client)

    assert session.status == PhotoSession.Status.AWAITING_PAYMENT
    assert len(event.payload["extras"]) == 1
    with pytest.raises(services.IllegalTransition):
        services.start_retouching(session, actor=None)


@pytest.mark.django_db
def test_a_submitted_selection_is_locked_until_the_photographer_reopens_it():
    session = session_in_proofing()
    rush = session.rushes.first()
    services.set_pick(session, rush.pk, True, user=session.client)
    services.submit_selection(session, user=session.client)
    with pytest.raises(services.StudioError, match="est envoyée"):
        services.set_pick(session, rush.pk, False, user=session.client)
    with pytest.raises(services.StudioError, match="est envoyée"):
        services.set_comment(session, rush.pk, "late", user=session.client)
    services.reopen_selection(session, actor=None)
    services.set_pick(session, rush.pk, False, user=session.client)
    assert session.events.filter(name="session.selection_reopened").exists()


@pytest.mark.django_db
def test_a_photo_of_another_session_cannot_be_picked():
    mine, theirs = session_in_proofing(), session_in_proofing()
    with pytest.raises(services.StudioError, match="ne fait pas partie"):
        services.set_pick(mine, theirs.rushes.first().pk, True, user=mine.client)


@pytest.mark.django_db
def test_publishing_waits_for_rushes_still_processing():
    session = services.create_session(title="x", client=UserFactory())
    services.add_rush(session, io.BytesIO(jpeg_bytes((64, 48))), "A.JPG", enqueue=False)
    with pytest.raises(services.StudioError, match="Aucune épreuve n'est encore prête"):
        services.publish_proofs(session, actor=None)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("IMG_0012-edit.jpg", "IMG_0012"),
        ("img_0012.tif", "IMG_0012"),
        ("IMG_0012 copy.jpg", "IMG_0012"),
        ("IMG_00123.jpg", "IMG_00123"),
        ("IMG_001.jpg", None),
        ("DSC_0012.jpg", None),
    ],
)
def test_finals_are_matched_to_their_rush_by_filename_stem(filename, expected):
    from types import SimpleNamespace

    jobs = [SimpleNamespace(rush=SimpleNamespace(stem=s)) for s in ("IMG_0012", "IMG_00123")]
    job = services.match_final(filename, jobs)
    assert (job.rush.stem if job else None) == expected


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="row locks are what this protects; SQLite serialises every write anyway",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_picks_from_two_tabs_never_pass_the_quota():
    assert connection.vendor == "postgresql"
    session = session_in_proofing(n=8, quota=3)
    ids = list(session.rushes.values_list("pk", flat=True))
    barrier = threading.Barrier(len(ids))
    errors: list[str] = []

    def pick(pk: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            services.set_pick(session, pk, True, user=session.client)
        except services.StudioError as exc:
            errors.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pick, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert SelectionItem.objects.filter(selection__session=session, picked=True).count() == 3
    assert len(errors) == len(ids) - 3
