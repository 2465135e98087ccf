"""Who is in each photo (`Rush.sitter`) on a company's headshot day: each member sat during
the slot they picked, so a rush taken in a member's slot is theirs.

The slots are the booking package's (booker/booking: HeadshotDay, HeadshotSlot), which sits
above this one: it registers a source (`register_sitter_source`, wired in booker/receivers.py)
that gives a session's slots as plain windows, and this package imports nothing of it.

The rule: a rush whose capture time falls in a slot's window, start included, end excluded
(the slot's own minutes: back to back, a slot ends where the next one starts), sat for that
slot's member. A rush outside every slot (a group photo, a camera clock that drifted, a photo
without EXIF time) has no sitter: only the company's leads see it, and the photographer
corrects it in the admin (the sitter field, or "attribute by slot again").

Capture times: the camera writes its local wall-clock time without a zone (EXIF); the ingest
stores it as Paris time (the site's TIME_ZONE), and the slots are stored aware, so both are
compared as instants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from booker.models import PhotoSession, Rush


@dataclass(frozen=True)
class SitterWindow:
    """One member's minutes in front of the camera: [start, end)."""

    start: datetime
    end: datetime
    sitter_id: int

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


# A source gives the sitters' windows of a session (none when the session is not a headshot
# day's): the booking package registers one.
SitterSource = Callable[[PhotoSession], list[SitterWindow]]
_sources: list[SitterSource] = []


def register_sitter_source(source: SitterSource) -> None:
    """Have `source(session)`'s windows attribute the session's rushes (registering twice
    counts once)."""
    if source not in _sources:
        _sources.append(source)


def sitter_windows(session: PhotoSession) -> list[SitterWindow]:
    """Every registered source's windows for `session`, earliest first."""
    windows = [window for source in _sources for window in source(session)]
    return sorted(windows, key=lambda w: w.start)


def sitter_at(windows: Iterable[SitterWindow], captured_at: datetime | None) -> int | None:
    """The member whose window holds `captured_at`, or None (no time, or outside every slot)."""
    if captured_at is None:
        return None
    for window in windows:
        if window.holds(captured_at):
            return window.sitter_id
    return None


def attribute_new_rush(rush: Rush) -> int | None:
    """At ingest: the sitter of a rush that has none yet (a sitter set by the photographer is
    kept when a failed rush is ingested again). Returns the sitter's id, or None."""
    if rush.sitter_id is not None:
        return rush.sitter_id
    if rush.captured_at is None:
        return None
    sitter_id = sitter_at(sitter_windows(rush.session), rush.captured_at)
    if sitter_id is not None:
        # Conditional: a sitter chosen in the admin meanwhile is not overwritten.
        Rush.objects.filter(pk=rush.pk, sitter__isnull=True).update(sitter_id=sitter_id)
        rush.sitter_id = sitter_id
    return sitter_id


@transaction.atomic
def attribute_by_slot(session: PhotoSession) -> tuple[int, int]:
    """Attribute every rush of `session` again by the slots, overwriting the sitters (the
    photographer's "attribute by slot again", after the slots or the camera clock changed).
    Returns (attributed, without a sitter). A session with no slot changes nothing."""
    windows = sitter_windows(session)
    if not windows:
        return 0, session.rushes.count()
    attributed = unattributed = 0
    changed: list[Rush] = []
    for rush in session.rushes.only("pk", "captured_at", "sitter_id"):
        sitter_id = sitter_at(windows, rush.captured_at)
        if sitter_id is None:
            unattributed += 1
        else:
            attributed += 1
        if rush.sitter_id != sitter_id:
            rush.sitter_id = sitter_id
            changed.append(rush)
    Rush.objects.bulk_update(changed, ["sitter"], batch_size=500)
    return attributed, unattributed
