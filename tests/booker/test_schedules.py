"""The schedule registry (booker/schedules.py): the cluster's periodic tasks exist once each,
as declared in code, after every `migrate` and at cluster start, without undoing what the
studio decided (a paused schedule, a moved hour)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django_q.models import Schedule

from booker import schedules
from booker.schedules import DAILY, MINUTES, Scheduled

pytestmark = pytest.mark.django_db

ALWAYS = {"booker: requeue stalled rushes", "booker.archive_due_sessions",
          "booker.abort_stale_uploads", "booker.send_due_messages",
          "booker.refresh_external_calendars", "booker.expire_booking_holds",
          "booker.plan_missed_events", "booker.send_webhooks", "booker.read_bounces",
          "shop.payments.send_invoice_reminders",
          "shop.basket.announce_abandoned_baskets"}


def names() -> list[str]:
    return sorted(Schedule.objects.values_list("name", flat=True))


def test_every_app_s_schedules_are_declared_and_the_shop_s_found_by_autodiscovery():
    declared = schedules.declared()
    assert ALWAYS <= set(declared)
    assert declared["booker.check_restores"].on_demand
    reminders = declared["shop.payments.send_invoice_reminders"]
    assert (reminders.func, reminders.schedule_type) == (
        "shop.payments.tasks.send_invoice_reminders", DAILY)
    # The lowest layer finds the shop's declarations; it never imports the shop itself.
    source = open(schedules.__file__).read()
    assert "import shop" not in source and "from shop" not in source


def test_migrate_leaves_each_schedule_once_and_the_on_demand_one_absent():
    assert names() == sorted(ALWAYS)


def test_sync_twice_makes_nothing_twice():
    Schedule.objects.all().delete()
    first = schedules.sync()
    again = schedules.sync()
    assert {n for n, done in first.items() if done == "created"} == ALWAYS
    assert set(again.values()) <= {"unchanged", "absent"}
    assert names() == sorted(ALWAYS)


def test_a_deleted_schedule_comes_back():
    Schedule.objects.filter(name="booker.archive_due_sessions").delete()
    assert schedules.sync()["booker.archive_due_sessions"] == "created"
    row = Schedule.objects.get(name="booker.archive_due_sessions")
    assert (row.func, row.schedule_type, row.repeats) == (
        "booker.tasks.archive_due_sessions", Schedule.DAILY, -1)


def test_drift_in_what_the_code_owns_is_corrected_and_the_studio_s_choices_are_kept(settings):
    studio_hour = datetime(2031, 1, 1, 5, 15, tzinfo=ZoneInfo(settings.TIME_ZONE))
    Schedule.objects.filter(name="booker: requeue stalled rushes").update(
        func="booker.tasks.gone", minutes=7, schedule_type=Schedule.HOURLY, repeats=0)
    Schedule.objects.filter(name="booker.archive_due_sessions").update(next_run=studio_hour)

    done = schedules.sync()

    assert done["booker: requeue stalled rushes"] == "corrected"
    sweeper = Schedule.objects.get(name="booker: requeue stalled rushes")
    assert (sweeper.func, sweeper.schedule_type, sweeper.minutes) == (
        "booker.tasks.requeue_stalled_rushes", Schedule.MINUTES, 1)
    assert sweeper.repeats == 0, "paused by the studio: stays paused"
    assert done["booker.archive_due_sessions"] == "unchanged"
    assert Schedule.objects.get(name="booker.archive_due_sessions").next_run == studio_hour


def test_duplicates_are_reduced_to_the_oldest_row():
    oldest = Schedule.objects.get(name="booker.abort_stale_uploads")
    Schedule.objects.create(name=oldest.name, func=oldest.func, schedule_type=Schedule.DAILY)
    Schedule.objects.create(name=oldest.name, func=oldest.func, schedule_type=Schedule.DAILY)

    assert schedules.sync()[oldest.name] == "deduplicated"

    assert list(Schedule.objects.filter(name=oldest.name).values_list("pk", flat=True)) == [
        oldest.pk]


def test_an_on_demand_schedule_is_made_and_dropped_by_its_owner_only():
    name = "booker.check_restores"
    assert schedules.sync()[name] == "absent"
    assert schedules.ensure(name) == "created"
    assert schedules.ensure(name) == "unchanged"
    row = Schedule.objects.get(name=name)
    assert (row.func, row.schedule_type, row.minutes) == (
        "booker.tasks.check_restores", Schedule.MINUTES, 10)
    assert row.next_run > datetime.now(tz=ZoneInfo("UTC")) + timedelta(minutes=9)

    assert schedules.drop(name) == 1
    assert not Schedule.objects.filter(name=name).exists()
    with pytest.raises(ValueError):
        schedules.drop("booker.archive_due_sessions")  # pause it instead
    with pytest.raises(LookupError):
        schedules.ensure("not.declared")


def test_a_name_declared_twice_differently_is_refused():
    with pytest.raises(ValueError):
        schedules.declare(Scheduled("booker.archive_due_sessions", "elsewhere.task", DAILY))
    with pytest.raises(ValueError):
        Scheduled("x", "booker.tasks.x", MINUTES)  # every how many minutes?


def test_a_daily_schedule_first_runs_at_the_next_such_local_time(settings):
    tz = ZoneInfo(settings.TIME_ZONE)
    entry = Scheduled("x", "booker.tasks.x", DAILY, at=time(3, 0))
    evening = datetime(2030, 6, 1, 22, 0, tzinfo=tz)
    night = datetime(2030, 6, 2, 1, 0, tzinfo=tz)
    assert entry.first_run(evening) == datetime(2030, 6, 2, 3, 0, tzinfo=tz)
    assert entry.first_run(night) == datetime(2030, 6, 2, 3, 0, tzinfo=tz)


def test_migrate_syncs_once_per_run_after_the_last_app(monkeypatch):
    calls = []
    monkeypatch.setattr(schedules, "sync", lambda using="default": calls.append(using))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert calls == ["default"]


def test_starting_the_cluster_syncs_the_schedules_before_it_forks(monkeypatch):
    from booker.intake import ingest
    from booker.management.commands import qcluster as ours

    steps = []
    # Closing the test's connection would end its transaction (PostgreSQL).
    monkeypatch.setattr(ours, "connections", type("C", (), {"close_all": lambda self: None})())
    monkeypatch.setattr(schedules, "sync", lambda: steps.append("sync"))
    monkeypatch.setattr(ingest, "warm_up_before_fork", lambda: steps.append("warm up"))
    monkeypatch.setattr(ours, "StoppingCluster", type("Cluster", (), {
        "start": lambda self: steps.append("cluster")}))

    call_command("qcluster")

    assert steps == ["sync", "warm up", "cluster"]
