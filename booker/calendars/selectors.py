"""What the calendars answer: the busy times the booking slots avoid."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from booker.models import ExternalBusy


def busy_intervals(
    photographer_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each photographer's busy intervals from their own calendars that overlap [start, end),
    in order (aware datetimes, as stored; intervals may overlap). One query; every id asked
    for is a key, with an empty list when nothing blocks."""
    ids = list(photographer_ids)
    found: dict[int, list[tuple[datetime, datetime]]] = {pk: [] for pk in ids}
    rows = (ExternalBusy.objects
            .filter(calendar__photographer_id__in=ids, start__lt=end, end__gt=start)
            .order_by("start", "end")
            .values_list("calendar__photographer_id", "start", "end"))
    for photographer_id, begins, ends in rows:
        found[photographer_id].append((begins, ends))
    return found
