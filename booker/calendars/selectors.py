"""What the calendars answer: the feed a token opens and the sessions it lists, and the busy
times the booking slots avoid."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from booker.models import CalendarFeed, ExternalBusy, PhotoSession, User


def live_feed(token: str) -> CalendarFeed | None:
    """The feed a token opens: not revoked, its owner still active."""
    return (CalendarFeed.objects.select_related("user")
            .filter(token=token, revoked_at__isnull=True, user__is_active=True).first())


def photographer_sessions(user: User) -> QuerySet[PhotoSession]:
    """The dated sessions `user` shoots, in order, cancelled ones left out (their feed)."""
    return (PhotoSession.objects.filter(photographer=user, scheduled_at__isnull=False)
            .exclude(status=PhotoSession.Status.CANCELLED)
            .select_related("client", "company").order_by("scheduled_at"))


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
