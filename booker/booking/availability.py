"""The arithmetic of free slots, without the database: opening hours of a day, candidate starts
on the wall clock of Europe/Paris, and busy intervals. `selectors.slots` fetches the rows and
calls these.

Daylight saving. Candidate starts are wall-clock times (the hours' start plus the buffer
before, then every `slot_increment`), turned into instants with zoneinfo:
- a wall time that does not exist (02:00–02:59 on the last Sunday of March) is skipped;
- a wall time that happens twice (02:00–02:59 on the last Sunday of October) is offered once,
  at its first occurrence (summer time, `fold=0`): a client reads each time once in the list.
Durations, buffers and overlaps are measured between instants in UTC, so a slot across a change
lasts its real length and must end, buffer included, by the real end of the hours.

External busy times (the photographers' own calendars) come from functions registered with
`register_busy_source`: the booking package does not import the calendars' package, which
registers its source when the app is ready."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

# (start, end) instants, aware.
Interval = tuple[datetime, datetime]
# (photographer ids, start, end) -> {photographer id: busy intervals}
BusySource = Callable[[Sequence[int], datetime, datetime], dict[int, list[Interval]]]

_busy_sources: list[BusySource] = []


def register_busy_source(source: BusySource) -> None:
    """Have `source`'s busy intervals block slots (registering twice counts once)."""
    if source not in _busy_sources:
        _busy_sources.append(source)


def unregister_busy_source(source: BusySource) -> None:
    if source in _busy_sources:
        _busy_sources.remove(source)


def registered_busy_sources() -> tuple[BusySource, ...]:
    return tuple(_busy_sources)


def local_instant(day: date, wall: time) -> datetime | None:
    """The instant (UTC) of wall-clock time `wall` on `day` in Paris, None if the clocks skip
    it; the first of the two when they repeat it."""
    candidate = datetime.combine(day, wall.replace(fold=0), tzinfo=PARIS).astimezone(UTC)
    back = candidate.astimezone(PARIS)
    if (back.date(), back.time()) != (day, wall.replace(fold=0)):
        return None
    return candidate


def boundary_instant(day: date, wall: time, *, closing: bool = False) -> datetime:
    """An opening hour's limit as an instant (UTC). Inside the skipped hour of March, the
    moment the clocks jump (Paris changes at a whole UTC hour, 01:00 UTC); inside the repeated
    hour of October, hours open at the first pass and close at the second (`closing`)."""
    if local_instant(day, wall) is None:
        jumped = datetime.combine(day, wall, tzinfo=PARIS).astimezone(UTC)
        return jumped.replace(minute=0, second=0, microsecond=0)
    return datetime.combine(day, wall.replace(fold=1 if closing else 0),
                            tzinfo=PARIS).astimezone(UTC)


def day_hours(
    day: date,
    weekly: dict[int, list[tuple[time, time]]],
    own_override: list[tuple[bool, time | None, time | None]] | None,
    studio_override: list[tuple[bool, time | None, time | None]] | None,
) -> list[tuple[time, time]]:
    """A photographer's opening hours on `day`. The most specific rule wins: the studio closed
    closes everyone; then the photographer's own override (closed, or their hours that day);
    then the studio's open hours that day (a Saturday open); then the weekly hours."""
    if studio_override and any(closed for closed, _s, _e in studio_override):
        return []
    for override in (own_override, studio_override):
        if override:
            if any(closed for closed, _s, _e in override):
                return []
            return sorted((start, end) for _c, start, end in override)
    return weekly.get(day.weekday(), [])


class BusyIndex:
    """A photographer's busy intervals, merged and sorted, as POSIX seconds for speed."""

    def __init__(self, intervals: Iterable[tuple[float, float]]) -> None:
        merged: list[list[float]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def is_free(self, start: float, end: float) -> bool:
        """Whether [start, end) overlaps no busy interval (touching ends do not overlap)."""
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            return False
        return i + 1 >= len(self.starts) or self.starts[i + 1] >= end


def candidate_starts(
    day: date,
    hours: list[tuple[time, time]],
    *,
    duration: timedelta,
    before: timedelta,
    after: timedelta,
    increment: timedelta,
) -> Iterable[datetime]:
    """Starts (UTC) of the slots on `day` that, with their buffers, fit in the hours.

    Arithmetic and comparisons are on UTC datetimes: Python adds a timedelta to an aware
    datetime on its wall clock, and compares two of the same zone without their offsets."""
    seen: set[datetime] = set()
    for opens, closes in hours:
        opens_at = boundary_instant(day, opens)
        closes_at = boundary_instant(day, closes, closing=True)
        # Wall-clock grid from the hours' start, in minutes since midnight.
        minute = opens.hour * 60 + opens.minute + int(before.total_seconds() // 60)
        step = int(increment.total_seconds() // 60)
        while minute < 24 * 60:
            wall = time(minute // 60, minute % 60)
            minute += step
            start = local_instant(day, wall)
            if start is None:
                continue
            if start - before < opens_at:
                continue
            if start + duration + after > closes_at:
                if wall >= closes:
                    break
                continue
            if start not in seen:
                seen.add(start)
                yield start
