"""Migrating a database of the studio as it was before the schedule registry (main at 3547347:
the schedules made by data migrations) to the latest state loses nothing, and leaves each
schedule once, as the studio left it (a paused one stays paused).

Transactional (migrations commit), with serialized_rollback like every such test here: the
rows the migrations made (roles, the site, Wagtail's root page) are put back for the tests
after these."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.apps import apps as current
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The leaf migrations at main's 3547347, before the registry made the schedules' data
# migrations no-ops (booker 0006 and 0011, payments 0003).
BEFORE = [
    ("booker", "0011_abort_stale_uploads_schedule"),
    ("payments", "0005_shop_manager_reads_stripe_payments"),
]
SCHEDULES = {
    "booker: requeue stalled rushes", "booker.archive_due_sessions",
    "booker.abort_stale_uploads", "shop.payments.send_invoice_reminders",
    "booker.send_due_messages", "shop.basket.announce_abandoned_baskets",
    "booker.refresh_external_calendars", "booker.expire_booking_holds",
    "booker.plan_missed_events", "booker.send_webhooks", "booker.read_bounces",
}
STUDIO_HOUR = datetime(2031, 1, 1, 8, 15, tzinfo=UTC)


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def studio_rows(apps) -> dict[str, int]:
    """A company, a client, a session with rushes, a selection with picks, a retouch job with
    its final, a delivery and the schedules, made with the models of that state."""
    User = apps.get_model("booker", "User")
    Company = apps.get_model("booker", "Company")
    Membership = apps.get_model("booker", "Membership")
    PhotoSession = apps.get_model("booker", "PhotoSession")
    Rush = apps.get_model("booker", "Rush")
    Selection = apps.get_model("booker", "Selection")
    SelectionItem = apps.get_model("booker", "SelectionItem")
    RetouchJob = apps.get_model("booker", "RetouchJob")
    FinalPhoto = apps.get_model("booker", "FinalPhoto")
    Delivery = apps.get_model("booker", "Delivery")
    Schedule = apps.get_model("django_q", "Schedule")

    company = Company.objects.create(name="Atelier Martin", siret="12345678901234")
    client = User.objects.create(email="lea@example.test", first_name="Léa", password="!")
    Membership.objects.create(company=company, user=client, role="admin")
    session = PhotoSession.objects.create(
        title="Mariage Léa", client=client, quota=1, extra_photo_price=Decimal("10.00"),
        status="delivered",
    )
    rushes = [
        Rush.objects.create(
            session=session, original=f"originals/{session.pk}/IMG_{i}.CR2",
            original_filename=f"IMG_{i}.CR2", sha256=f"{i:064x}", size=1000 + i,
            ingest_status="ready",
        )
        for i in range(3)
    ]
    selection = Selection.objects.create(session=session, submitted_by=client,
                                         submitted_at=datetime.now(UTC))
    for rush in rushes:
        SelectionItem.objects.create(selection=selection, rush=rush, picked=rush is rushes[0],
                                     comment="plus chaud" if rush is rushes[0] else "")
    job = RetouchJob.objects.create(session=session, rush=rushes[0], status="done")
    FinalPhoto.objects.create(job=job, file=f"finals/{session.pk}/IMG_0.jpg",
                              original_filename="IMG_0.jpg", size=4242, sha256="f" * 64)
    Delivery.objects.create(session=session, message="Bonne découverte !")
    # The schedules as existing databases have them: made by the data migrations (the studio
    # moved the archive's hour and paused the reminders) and by the sweeper's post_migrate hook.
    Schedule.objects.all().delete()
    Schedule.objects.create(name="booker.archive_due_sessions",
                            func="booker.tasks.archive_due_sessions", schedule_type="D",
                            repeats=-1, next_run=STUDIO_HOUR)
    Schedule.objects.create(name="booker.abort_stale_uploads",
                            func="booker.tasks.abort_stale_uploads", schedule_type="D",
                            repeats=-1)
    Schedule.objects.create(name="shop.payments.send_invoice_reminders",
                            func="shop.payments.tasks.send_invoice_reminders",
                            schedule_type="D", repeats=0)
    Schedule.objects.create(name="booker: requeue stalled rushes",
                            func="booker.tasks.requeue_stalled_rushes", schedule_type="I",
                            minutes=1, repeats=-1)
    return counts(apps)


def counts(apps) -> dict[str, int]:
    return {
        name: apps.get_model("booker", name).objects.count()
        for name in ("User", "Company", "Membership", "PhotoSession", "Rush", "Selection",
                     "SelectionItem", "RetouchJob", "FinalPhoto", "Delivery")
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrating_a_database_from_before_the_registry_loses_nothing_and_keeps_each_schedule_once():
    before = studio_rows(migrate_to(BEFORE))

    call_command("migrate", verbosity=0)  # forward to the latest, as a deployment does

    assert counts(current) == before
    session = current.get_model("booker", "PhotoSession").objects.get()
    assert (session.title, session.status, session.client.email) == (
        "Mariage Léa", "delivered", "lea@example.test")
    assert session.company is None and session.client.memberships.get().company.siret == (
        "12345678901234")
    picks = session.selection.items.filter(picked=True)
    assert [(i.rush.original_filename, i.comment) for i in picks] == [("IMG_0.CR2", "plus chaud")]
    assert session.rushes.order_by("pk").last().sha256 == f"{2:064x}"
    final = current.get_model("booker", "FinalPhoto").objects.get()
    assert (final.job.rush.original_filename, final.size, final.file.name) == (
        "IMG_0.CR2", 4242, f"finals/{session.pk}/IMG_0.jpg")
    assert session.delivery.message == "Bonne découverte !"

    Schedule = current.get_model("django_q", "Schedule")
    rows = list(Schedule.objects.values_list("name", flat=True))
    assert sorted(rows) == sorted(SCHEDULES), "each schedule exactly once"
    assert Schedule.objects.get(name="booker.archive_due_sessions").next_run == STUDIO_HOUR
    assert Schedule.objects.get(name="shop.payments.send_invoice_reminders").repeats == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migrate_run_twice_leaves_each_schedule_once():
    current.get_model("django_q", "Schedule").objects.all().delete()

    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)

    Schedule = current.get_model("django_q", "Schedule")
    assert sorted(Schedule.objects.values_list("name", flat=True)) == sorted(SCHEDULES)
    assert set(Schedule.objects.values_list("repeats", flat=True)) == {-1}
