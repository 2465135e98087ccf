"""The booking's month view: the free slots of a session type over a month for three
photographers (weekly hours with a lunch break, date overrides, 40 sessions and 20 busy times),
computed by `booker.booking.selectors.days_with_slots`, on a throwaway database (in-memory
SQLite unless DATABASE_URL names another). Prints the SQL queries and the time per month view
(median and p95 of N), the headline last."""

from __future__ import annotations

import argparse
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment

# March 2027: the clocks change on the 28th; the month is asked from late February.
MONTH_START = date(2027, 3, 1)
MONTH_END = date(2027, 3, 31)
NOW = datetime(2027, 2, 26, 8, 0, tzinfo=UTC)
GOAL_MS = 50


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench slots")
    parser.add_argument("--repeats", type=int, default=50, help="month views timed")
    args = parser.parse_args(argv)

    from django.test.runner import DiscoverRunner

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        session_type = build_studio()
        report(measure(session_type, args.repeats))
        return 0
    finally:
        runner.teardown_databases(old)


def build_studio():
    """Three photographers who shoot a one-hour portrait (15-minute buffers, a slot every 30
    minutes), their weeks, the studio's overrides, their sessions and busy times in March."""
    from booker.booking.availability import PARIS
    from booker.models import (
        Booking,
        BusyTime,
        DateOverride,
        PhotoSession,
        SessionType,
        User,
        WeeklyHours,
    )

    def paris(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=PARIS)

    photographers = [
        User.objects.create_user(f"bench-photo{n}@example.test", "x", is_staff=True)
        for n in range(3)
    ]
    client = User.objects.create_user("bench-client@example.test", "x")
    session_type = SessionType.objects.create(
        name="Portrait", slug="bench-portrait", duration_minutes=60, buffer_before_minutes=15,
        buffer_after_minutes=15, slot_increment_minutes=30, minimum_notice_hours=24,
        horizon_days=60,
    )
    session_type.photographers.set(photographers)
    hours = []
    for n, who in enumerate(photographers):
        for weekday in range(5):
            hours.append(WeeklyHours(photographer=who, weekday=weekday, start=time(9),
                                     end=time(12, 30)))
            hours.append(WeeklyHours(photographer=who, weekday=weekday, start=time(14),
                                     end=time(19)))
        if n == 0:
            hours.append(WeeklyHours(photographer=who, weekday=5, start=time(10), end=time(13)))
    WeeklyHours.objects.bulk_create(hours)
    DateOverride.objects.bulk_create([
        DateOverride(photographer=None, date=date(2027, 3, 29), closed=True),  # Easter Monday
        DateOverride(photographer=None, date=date(2027, 3, 20), start=time(9), end=time(17)),
        *(DateOverride(photographer=photographers[1], date=date(2027, 3, day), closed=True)
          for day in (10, 11, 12)),
        DateOverride(photographer=photographers[2], date=date(2027, 3, 17), start=time(12),
                     end=time(21)),
    ])
    workdays = [MONTH_START + timedelta(days=d) for d in range(31)
                if (MONTH_START + timedelta(days=d)).weekday() < 5]
    PhotoSession.objects.bulk_create(
        PhotoSession(title=f"Séance {n}", client=client, photographer=photographers[n % 3],
                     scheduled_at=paris(workdays[n % len(workdays)], 9 + (n * 3) % 9),
                     duration_minutes=60 + 30 * (n % 3))
        for n in range(40)
    )
    BusyTime.objects.bulk_create(
        BusyTime(photographer=photographers[n % 3],
                 start=paris(workdays[(n * 7) % len(workdays)], 11 + n % 6),
                 end=paris(workdays[(n * 7) % len(workdays)], 12 + n % 6), reason="Rendez-vous")
        for n in range(20)
    )
    # Requests waiting for the studio's answer block their slots too (held slots the same way,
    # while their hold lasts): one more query.
    Booking.objects.bulk_create(
        Booking(token=f"bench-{n}", session_type=session_type,
                photographer=photographers[n % 3], client=client,
                starts_at=paris(workdays[(n * 5) % len(workdays)], 15),
                ends_at=paris(workdays[(n * 5) % len(workdays)], 16),
                blocks_from=paris(workdays[(n * 5) % len(workdays)], 15),
                blocks_until=paris(workdays[(n * 5) % len(workdays)], 16, 15),
                status=Booking.Status.REQUESTED, price=session_type.price,
                deposit=session_type.deposit)
        for n in range(15)
    )
    return session_type


def measure(session_type, repeats: int) -> dict:
    from booker.booking.selectors import days_with_slots, slots

    with CaptureQueriesContext(connection) as queries:
        days = days_with_slots(session_type, MONTH_START, MONTH_END, now=NOW)
    found = slots(session_type, MONTH_START, MONTH_END, now=NOW)
    times = []
    for _ in range(repeats):
        started = clock.perf_counter()
        days_with_slots(session_type, MONTH_START, MONTH_END, now=NOW)
        times.append(clock.perf_counter() - started)
    times.sort()
    return {
        "queries": len(queries),
        "days": len(days),
        "slots": len(found),
        "repeats": repeats,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000,
    }


def report(result: dict) -> None:
    print(f"database {connection.vendor}, month {MONTH_START:%Y-%m}, 3 photographers, "
          f"40 sessions, 20 busy times, {result['repeats']} month views")
    print(f"days with slots: {result['days']}, slots: {result['slots']}")
    print(f"queries per month view: {result['queries']}")
    print(f"time per month view: median {result['median_ms']:.1f} ms, "
          f"p95 {result['p95_ms']:.1f} ms")
    ratio = result["median_ms"] / GOAL_MS
    print(f"month view: {result['queries']} queries, median {result['median_ms']:.1f} ms "
          f"({ratio:.2f}× the goal of ≤ {GOAL_MS} ms)")
