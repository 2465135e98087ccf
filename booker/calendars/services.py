"""Calendars written and read (issue 17), with the kept library `icalendar`:

- the photographer's private feed of their sessions (`feed_for`, `rotate_feed`,
  `photographer_calendar`), served at /calendrier/<token>.ics;
- the client's `.ics` of one session (`session_ics`), one UID per session for good and a
  SEQUENCE raised at each move or cancellation (`bump_sequence`, subscribed in
  booker/receivers.py), so that the client's calendar updates the event it already holds;
- the photographer's own calendars fetched (`refresh_external_calendars`, every 15 minutes),
  their events, recurring ones expanded by `recurring-ical-events`, stored as busy times that
  the slots avoid (booker.calendars.selectors.busy_intervals).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import recurring_ical_events
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from booker import outbound
from booker.calendars.selectors import photographer_sessions
from booker.events import Event as DomainEvent
from booker.events import Happened
from booker.mail import absolute_url, site_url
from booker.models import CalendarFeed, ExternalBusy, ExternalCalendar, PhotoSession, User

log = logging.getLogger(__name__)

Status = PhotoSession.Status

# A session lasts an hour unless it says otherwise: the Booker records only when a session
# starts; a session type's duration (booking) may give one later, read by `session_end`.
DEFAULT_SESSION_LENGTH = timedelta(hours=1)
# The photographer's own calendars: how far ahead their events block slots, how long a fetch
# may take (connect, each read; then the whole body), and the most a calendar file may weigh.
LOOKAHEAD = timedelta(days=120)
FETCH_TIMEOUT = (5, 15)
FETCH_DEADLINE_SECONDS = 60
MAX_CALENDAR_BYTES = 10 * 1024 * 1024
PRODID = "-//Booké//Booker calendars//FR"
ICS_TYPE = "text/calendar"


# --- The photographer's private feed ------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_for(user: User) -> CalendarFeed:
    """The photographer's live feed, made on first asking."""
    live = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True)
    feed = live.first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=user, token=_new_token())
    except IntegrityError:  # two first visits at once: one live feed each user (constraint)
        return live.get()


def rotate_feed(user: User) -> CalendarFeed:
    """A new secret address; the old one stops answering (404) at once."""
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(
            user=user, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        return CalendarFeed.objects.create(user=user, token=_new_token())


def feed_url(feed: CalendarFeed) -> str:
    return absolute_url(reverse("calendars:feed", args=[feed.token]))


def session_end(session: PhotoSession) -> datetime | None:
    """When a session ends: its start plus its length (`duration_minutes`), or an hour when
    it has none. None for a session without a date."""
    if session.scheduled_at is None:
        return None
    duration = getattr(session, "duration_minutes", None)
    if isinstance(duration, int) and duration > 0:
        duration = timedelta(minutes=duration)
    if not isinstance(duration, timedelta) or duration <= timedelta(0):
        duration = DEFAULT_SESSION_LENGTH
    return session.scheduled_at + duration


def _host() -> str:
    return urlsplit(site_url()).hostname or "booke.localhost"


def session_uid(session: PhotoSession) -> str:
    """The session's event UID, the same in every calendar and for good."""
    return f"session-{session.pk}@{_host()}"


def _calendar(name: str = "", method: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _event(session: PhotoSession, summary: str, description: str) -> Event:
    # Times are written in UTC ("…Z"): every calendar shows them in its own zone, and the file
    # needs no VTIMEZONE (icalendar's for Europe/Paris lists every change until 2038).
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.scheduled_at)
    event.add("dtend", session_end(session))
    event.add("summary", summary)
    if session.location:
        event.add("location", session.location)
    event.add("description", description)
    event.add("sequence", session.calendar_sequence)
    event.add("status", "CANCELLED" if session.status == Status.CANCELLED else "CONFIRMED")
    return event


@dataclass(frozen=True)
class FeedItem:
    """Something else than a session on a photographer's feed (a booking request awaiting the
    studio's answer): shown tentative."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""


# A source gives each item as a FeedItem's fields (a dict): the booking package, which cannot
# import this one, describes its requests in plain values.
FeedSource = Callable[[User], list[dict]]
_feed_sources: list[FeedSource] = []


def register_feed_source(source: FeedSource) -> None:
    """Have `source(user)`'s items on the photographer's feed (registering twice counts once):
    the calendars import nothing of the booking package, booker/receivers.py wires them."""
    if source not in _feed_sources:
        _feed_sources.append(source)


def _tentative(item: FeedItem) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", item.start)
    event.add("dtend", item.end)
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    event.add("status", "TENTATIVE")
    return event


def photographer_calendar(user: User) -> bytes:
    """The photographer's feed: every dated session they shoot, cancelled ones left out, and
    the registered sources' tentative items (booking requests to answer)."""
    cal = _calendar(name=gettext("Booké — my sessions"))
    for source in _feed_sources:
        for item in source(user):
            cal.add_component(_tentative(FeedItem(**item)))
    for session in photographer_sessions(user):
        studio_page = absolute_url(reverse("admin:booker_photosession_studio",
                                           args=[session.pk]))
        cal.add_component(_event(
            session,
            summary=f"{session.title} — {session.owner_label}",
            description=gettext("Studio page: %(url)s") % {"url": studio_page},
        ))
    return cal.to_ical()


# --- The client's .ics --------------------------------------------------------------------------

REQUEST, CANCEL = "REQUEST", "CANCEL"


def _organizer() -> vCalAddress:
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{email}")
    if name:
        organizer.params["cn"] = vText(name)
    return organizer


def session_ics(session: PhotoSession, method: str = REQUEST) -> bytes:
    """The session as an invitation for the client's calendar (METHOD REQUEST), or its
    cancellation (METHOD CANCEL): the same UID every time, the SEQUENCE of the session's
    latest move, so that the calendar replaces or removes the event it holds."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown METHOD {method!r}")
    if session.scheduled_at is None:
        raise ValueError("a session without a date has no calendar event")
    name, _address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    portal_page = absolute_url(reverse("portal:session", args=[session.pk]))
    cal = _calendar(method=method)
    event = _event(
        session,
        summary=f"{session.title} — {name}" if name else session.title,
        description=gettext("Your session: %(url)s") % {"url": portal_page},
    )
    if method == CANCEL:
        event["status"] = "CANCELLED"
    event.add("organizer", _organizer())
    person = session.client
    if person is not None and person.email:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(str(person))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()


def session_ics_filename(session: PhotoSession) -> str:
    return f"seance-{session.pk}.ics"


def bump_sequence(session_id: int) -> None:
    """The session moved or was cancelled: its calendar event gets a higher SEQUENCE."""
    PhotoSession.objects.filter(pk=session_id).update(
        calendar_sequence=F("calendar_sequence") + 1
    )


def on_session_changed(event: Happened) -> None:
    """Subscribed to session.rescheduled and session.cancelled (booker/receivers.py)."""
    if event.session_id is not None:
        bump_sequence(event.session_id)


# Which emails carry the session's .ics, by the event that sends them.
_ATTACHED_METHODS = {
    DomainEvent.SESSION_BOOKED: REQUEST,
    DomainEvent.SESSION_CONFIRMED: REQUEST,
    DomainEvent.SESSION_RESCHEDULED: REQUEST,
    DomainEvent.SESSION_CANCELLED: CANCEL,
}


def attachment_for(session: PhotoSession | None,
                   event_name: str) -> tuple[str, bytes, str] | None:
    """The attachment (filename, content, MIME type) an email about `event_name` carries for
    `session`, or None: confirmations and moves carry the invitation, a cancellation its
    cancellation; other emails, and sessions without a date, carry nothing."""
    try:
        method = _ATTACHED_METHODS.get(DomainEvent(event_name))
    except ValueError:
        return None
    if method is None or session is None or session.scheduled_at is None:
        return None
    session.refresh_from_db(fields=["calendar_sequence", "scheduled_at", "location", "status"])
    # A bare MIME type: Django's EmailMessage.attach() takes a type without parameters (the
    # METHOD is in the file).
    return session_ics_filename(session), session_ics(session, method), ICS_TYPE


# --- The photographer's own calendars ----------------------------------------------------------


def external_calendar_url(url: str) -> str:
    """The address as it is kept and read: trimmed, webcal:// as https://."""
    return outbound.normalize_url(url)


def set_external_calendar(photographer: User, url: str) -> ExternalCalendar | None:
    """The photographer's own calendar address (one each); an empty address removes it and its
    busy times."""
    url = external_calendar_url(url)
    if not url:
        ExternalCalendar.objects.filter(photographer=photographer).delete()
        return None
    calendar = ExternalCalendar.objects.filter(photographer=photographer).first()
    if calendar is None:
        return ExternalCalendar.objects.create(photographer=photographer, url=url)
    if calendar.url != url:
        calendar.url = url
        calendar.last_error = ""
        calendar.save(update_fields=["url", "last_error"])
        calendar.busy.all().delete()
    return calendar


def _fetch(url: str) -> bytes:
    # An address typed by a photographer: read only from the public Internet (booker.outbound),
    # never from the studio's own network.
    return outbound.fetch(
        outbound.normalize_url(url), max_bytes=MAX_CALENDAR_BYTES, timeout=FETCH_TIMEOUT,
        deadline=FETCH_DEADLINE_SECONDS, headers={"Accept": ICS_TYPE},
        allowed_networks=settings.BOOKER_CALENDAR_ALLOWED_PRIVATE_NETWORKS,
    )


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def _aware(value: datetime | date, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        # A floating time (no zone) is the studio's local time.
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return _local_midnight(value, tz)


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    uid: str


def busy_times(ics: bytes, start: datetime, end: datetime) -> list[Busy]:
    """The busy intervals of a calendar file between `start` and `end`: every occurrence of its
    events (recurring ones expanded), but not those marked free (TRANSP:TRANSPARENT) or
    cancelled. An all-day event blocks its whole local days."""
    tz = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar.from_ical(ics)
    found: list[Busy] = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if event.get("DTSTART") is None:
            continue
        first = event.decoded("DTSTART")
        if event.get("DTEND") is not None:
            last = event.decoded("DTEND")
        elif event.get("DURATION") is not None:
            last = first + event.decoded("DURATION")
        else:  # RFC 5545: a date lasts a day, a date-time an instant
            last = first + timedelta(days=1) if not isinstance(first, datetime) else first
        begins, ends = _aware(first, tz), _aware(last, tz)
        if ends <= begins:
            continue
        found.append(Busy(begins, ends, str(event.get("UID", ""))[:500]))
    return sorted(found, key=lambda b: b.start)


def refresh_calendar(calendar: ExternalCalendar, now: datetime | None = None) -> bool:
    """Fetch one calendar and replace its busy times; on failure keep the previous ones and
    record why. Returns whether it succeeded."""
    now = now or timezone.now()
    try:
        busy = busy_times(_fetch(calendar.url), now, now + LOOKAHEAD)
    except Exception as exc:  # any failure of someone else's server or file: keep what we had
        log.warning("external calendar %s: %s", calendar.pk, exc)
        # The photographer reads why, in their words; the log keeps the detail.
        why = outbound.explain(exc) or gettext(
            "The file at this address is not a calendar that can be read (ICS).")
        ExternalCalendar.objects.filter(pk=calendar.pk).update(
            last_error=f"{timezone.localtime(now):%Y-%m-%d %H:%M} — {why}"[:2000]
        )
        calendar.refresh_from_db(fields=["last_error"])
        return False
    with transaction.atomic():
        calendar.busy.all().delete()
        ExternalBusy.objects.bulk_create(
            ExternalBusy(calendar=calendar, start=b.start, end=b.end, uid=b.uid) for b in busy
        )
        calendar.last_fetched_at = now
        calendar.last_error = ""
        calendar.save(update_fields=["last_fetched_at", "last_error"])
    return True


def refresh_external_calendars() -> dict[str, int]:
    """Every 15 minutes (booker.schedules.REFRESH_CALENDARS): every photographer's calendar."""
    counts = {"refreshed": 0, "failed": 0}
    for calendar in ExternalCalendar.objects.filter(photographer__is_active=True):
        counts["refreshed" if refresh_calendar(calendar) else "failed"] += 1
    return counts
