"""The free slots of a session type, for the booking pages (a month view, a day's list).

Cost: five queries whatever the range (the session type's photographers, their weekly hours,
the date overrides, their sessions and their busy times over the range), then Python. The
external busy times come from the registered sources (`availability.register_busy_source`).
`python -m bench slots` measures a month of three photographers (docs/benchmarks.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from booker.people.models import User
from booker.sessions.models import PhotoSession

from .availability import (
    PARIS,
    BusyIndex,
    BusySource,
    candidate_starts,
    day_hours,
    registered_busy_sources,
)
from .models import BusyTime, DateOverride, SessionType, WeeklyHours

# A session that started more than this before the range cannot reach into it.
LONGEST_SESSION = timedelta(days=1)


@dataclass(frozen=True)
class Slot:
    """A bookable start: aware datetimes in Europe/Paris, and who is free to shoot it.
    Measure between them in UTC: Python subtracts two Paris datetimes on the wall clock."""

    start: datetime
    end: datetime
    photographer_ids: tuple[int, ...]

    @property
    def day(self) -> date:
        return self.start.astimezone(PARIS).date()


def slots(
    session_type: SessionType,
    start_date: date,
    end_date: date,
    *,
    photographer: User | int | None = None,
    now: datetime | None = None,
    busy_sources: Iterable[BusySource] | None = None,
) -> list[Slot]:
    """The free slots of `session_type` starting on the Paris dates `start_date` to `end_date`
    (both included), by start. With `photographer`, theirs only; without, any photographer of
    the type who is free (the slot lists them all). A slot is free when, with the type's
    buffers around it, it fits in the photographer's hours of that day and overlaps none of
    their sessions (not cancelled), busy times or external busy intervals; it starts no sooner
    than the minimum notice and no later than the horizon from `now`.
    `busy_sources` replaces the registered external sources (tests)."""
    now = (now or timezone.now()).astimezone(UTC)
    earliest = now + timedelta(hours=session_type.minimum_notice_hours)
    latest = now + timedelta(days=session_type.horizon_days)
    first_day = max(start_date, earliest.astimezone(PARIS).date())
    last_day = min(end_date, latest.astimezone(PARIS).date())
    if first_day > last_day:
        return []

    people = session_type.photographers.filter(is_active=True)
    if photographer is not None:
        people = people.filter(pk=getattr(photographer, "pk", photographer))
    ids = list(people.values_list("pk", flat=True))
    if not ids:
        return []

    duration = timedelta(minutes=session_type.duration_minutes)
    before = timedelta(minutes=session_type.buffer_before_minutes)
    after = timedelta(minutes=session_type.buffer_after_minutes)
    increment = timedelta(minutes=session_type.slot_increment_minutes)
    # In UTC: Python adds a timedelta to a Paris datetime on its wall clock.
    window_start = datetime.combine(first_day, time(), tzinfo=PARIS).astimezone(UTC) - before
    window_end = datetime.combine(
        last_day + timedelta(days=1), time(), tzinfo=PARIS
    ).astimezone(UTC) + (duration + after)

    weekly: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in WeeklyHours.objects.filter(photographer_id__in=ids).order_by("start"):
        weekly[row.photographer_id][row.weekday].append((row.start, row.end))

    overrides: dict[tuple[int | None, date], list] = defaultdict(list)
    for row in DateOverride.objects.filter(
        Q(photographer_id__in=ids) | Q(photographer__isnull=True),
        date__gte=first_day, date__lte=last_day,
    ):
        overrides[(row.photographer_id, row.date)].append((row.closed, row.start, row.end))

    busy: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for who, start, minutes in PhotoSession.objects.filter(
        photographer_id__in=ids,
        scheduled_at__gte=window_start - LONGEST_SESSION,
        scheduled_at__lt=window_end,
    ).exclude(status=PhotoSession.Status.CANCELLED).values_list(
        "photographer_id", "scheduled_at", "duration_minutes"
    ):
        busy[who].append((start.timestamp(), (start + timedelta(minutes=minutes)).timestamp()))
    for who, start, end in BusyTime.objects.filter(
        photographer_id__in=ids, start__lt=window_end, end__gt=window_start
    ).values_list("photographer_id", "start", "end"):
        busy[who].append((start.timestamp(), end.timestamp()))
    sources = registered_busy_sources() if busy_sources is None else tuple(busy_sources)
    for source in sources:
        for who, intervals in source(ids, window_start, window_end).items():
            busy[who].extend((start.timestamp(), end.timestamp()) for start, end in intervals)
    indexes = {who: BusyIndex(busy.get(who, ())) for who in ids}

    free: dict[datetime, list[int]] = defaultdict(list)
    blocked = (before + duration + after).total_seconds()
    day = first_day
    while day <= last_day:
        studio_override = overrides.get((None, day))
        # Photographers with the same hours that day share their candidates (the time-zone
        # conversions are most of the cost).
        candidates: dict[tuple, list[tuple[datetime, float]]] = {}
        for who in ids:
            hours = day_hours(day, weekly[who], overrides.get((who, day)), studio_override)
            if not hours:
                continue
            key = tuple(hours)
            if key not in candidates:
                candidates[key] = [
                    (start, (start - before).timestamp())
                    for start in candidate_starts(day, hours, duration=duration, before=before,
                                                  after=after, increment=increment)
                    if earliest <= start <= latest
                ]
            index = indexes[who]
            for start, begins in candidates[key]:
                if index.is_free(begins, begins + blocked):
                    free[start].append(who)
        day += timedelta(days=1)

    return [
        Slot(start=start.astimezone(PARIS), end=(start + duration).astimezone(PARIS),
             photographer_ids=tuple(sorted(who)))
        for start, who in sorted(free.items())
    ]


def days_with_slots(
    session_type: SessionType,
    start_date: date,
    end_date: date,
    *,
    photographer: User | int | None = None,
    now: datetime | None = None,
    busy_sources: Iterable[BusySource] | None = None,
) -> list[date]:
    """The Paris dates from `start_date` to `end_date` with at least one free slot (the month
    view), in order: the same computation and queries as `slots`."""
    found = slots(session_type, start_date, end_date, photographer=photographer, now=now,
                  busy_sources=busy_sources)
    return sorted({slot.day for slot in found})


def bookable_session_types() -> Sequence[SessionType]:
    """The session types offered online, in the studio's order."""
    return list(SessionType.objects.filter(is_active=True).order_by("order", "name"))
