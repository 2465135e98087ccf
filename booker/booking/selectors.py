"""The free slots of a session type, for the booking pages (a month view, a day's list).

Cost: seven queries whatever the range (the session type's photographers, their weekly hours,
the date overrides, their sessions, the slots held by other clients and the requests, their
busy times, their calendars' busy times), then Python. The
external busy times come from the registered sources (`availability.register_busy_source`).
`python -m bench slots` measures a month of three photographers (docs/benchmarks.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from booker.intake.sitters import SitterWindow
from booker.mail import absolute_url
from booker.people.models import LEAD_ROLES, Company, Membership, User
from booker.sessions.models import PhotoSession

from .availability import (
    PARIS,
    BusyIndex,
    BusySource,
    candidate_starts,
    day_hours,
    registered_busy_sources,
)
from .models import (
    Booking,
    BookingQuestion,
    BusyTime,
    DateOverride,
    HeadshotDay,
    HeadshotSlot,
    SessionType,
    WeeklyHours,
)

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
    ignore_booking: Booking | None = None,
    check_notice: bool = True,
    check_horizon: bool = True,
) -> list[Slot]:
    """The free slots of `session_type` starting on the Paris dates `start_date` to `end_date`
    (both included), by start. With `photographer`, theirs only; without, any photographer of
    the type who is free (the slot lists them all). A slot is free when, with the type's
    buffers around it, it fits in the photographer's hours of that day and overlaps none of
    their sessions (not cancelled), busy times or external busy intervals; it starts no sooner
    than the minimum notice and no later than the horizon from `now`.
    `busy_sources` replaces the registered external sources (tests). Slots held by other
    clients, and requests awaiting the studio, are busy too; `ignore_booking` (a booking being
    moved) does not block itself, nor does its session. `check_notice=False` (the studio
    moving a booking, a late payment) allows starts sooner than the minimum notice;
    `check_horizon=False` (the studio) allows starts beyond the horizon."""
    now = (now or timezone.now()).astimezone(UTC)
    earliest = now + timedelta(hours=session_type.minimum_notice_hours if check_notice else 0)
    latest = now + timedelta(days=session_type.horizon_days if check_horizon else 3660)
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
    sessions = PhotoSession.objects.filter(
        photographer_id__in=ids,
        scheduled_at__gte=window_start - LONGEST_SESSION,
        scheduled_at__lt=window_end,
    ).exclude(status=PhotoSession.Status.CANCELLED)
    holds = Booking.objects.filter(
        Q(status=Booking.Status.HELD, held_until__gt=now) | Q(status=Booking.Status.REQUESTED),
        photographer_id__in=ids, blocks_from__lt=window_end, blocks_until__gt=window_start,
    )
    if ignore_booking is not None:
        holds = holds.exclude(pk=ignore_booking.pk)
        if ignore_booking.session_id is not None:
            sessions = sessions.exclude(pk=ignore_booking.session_id)
    for who, start, minutes in sessions.values_list(
        "photographer_id", "scheduled_at", "duration_minutes"
    ):
        busy[who].append((start.timestamp(), (start + timedelta(minutes=minutes)).timestamp()))
    for who, start, end in holds.values_list("photographer_id", "blocks_from", "blocks_until"):
        busy[who].append((start.timestamp(), end.timestamp()))
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


# --- Bookings -----------------------------------------------------------------------------------


def booking_questions(session_type: SessionType) -> list[BookingQuestion]:
    """The type's questionnaire, in the studio's order."""
    return list(session_type.questions.order_by("order", "pk"))


def _managers_of(company_id: int) -> set[int]:
    return set(Membership.objects.filter(company_id=company_id, role__in=LEAD_ROLES)
               .values_list("user_id", flat=True))


def _managed_company_ids(user: User) -> list[int]:
    return list(Membership.objects.filter(user=user, role__in=LEAD_ROLES)
                .values_list("company_id", flat=True))


def managed_companies(user: User) -> list[Company]:
    """The companies a person may book for (they manage them)."""
    if not user.is_authenticated:
        return []
    return list(Company.objects.filter(pk__in=_managed_company_ids(user)).order_by("name"))


def booking_for(token: str, *, user: User | None, holder_key: str = "") -> Booking | None:
    """The booking behind `token` if this person may see it: theirs, their company's (they
    manage it), or, before any account, the browser that holds it. None otherwise."""
    booking = (Booking.objects.select_related("session_type", "photographer", "client",
                                              "company", "session")
               .filter(token=token).first() if token else None)
    if booking is None:
        return None
    if user is not None and user.is_authenticated:
        if user.pk in (booking.client_id, booking.booked_by_id):
            return booking
        if booking.company_id and booking.company_id in _managed_company_ids(user):
            return booking
    if (holder_key and booking.holder_key == holder_key
            and booking.client_id is None and booking.company_id is None):
        return booking
    return None


def bookings_of(user: User) -> list[Booking]:
    """The bookings on a person's portal: their own and their companies', the lapsed holds
    left out; the next session first."""
    if not user.is_authenticated:
        return []
    return list(
        Booking.objects.filter(
            Q(client=user) | Q(booked_by=user) | Q(company_id__in=_managed_company_ids(user))
        ).exclude(status=Booking.Status.EXPIRED)
        .select_related("session_type", "photographer", "company", "session")
        .order_by("-starts_at")
    )


def refund_if_cancelled(booking: Booking, *, now: datetime | None = None) -> Decimal:
    """What the client gets back if they cancel now: the type's refund rules applied to the
    deposit paid, by whole days before the session. A request or a held slot: all of it."""
    paid = booking.deposit_paid - booking.refunded
    if booking.status != Booking.Status.CONFIRMED:
        return max(paid, Decimal("0"))
    now = now or timezone.now()
    days = (booking.starts_at - now).total_seconds() / 86400
    share = booking.session_type.refund_percent(days)
    return (paid * share / 100).quantize(Decimal("0.01"))


def can_reschedule(booking: Booking, *, now: datetime | None = None) -> bool:
    """Whether the client may still move the booking online (the type's notice)."""
    if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.REQUESTED):
        return False
    now = now or timezone.now()
    notice = timedelta(hours=booking.session_type.reschedule_notice_hours)
    return booking.starts_at - now >= notice


def deposit_payable(booking_id: int, *, now: datetime | None = None) -> Decimal | None:
    """The amount a shop line for this booking's deposit may charge now, None when nothing is
    to be paid: a signed booking waiting for its deposit (held, or lapsed: the payment then
    books the slot if still free, else is refunded), or a confirmed one still owing it."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None or booking.deposit_due <= 0:
        return None
    if booking.status in (Booking.Status.HELD, Booking.Status.EXPIRED):
        if booking.contract_signed_at is None or booking.session_type.needs_approval:
            return None
        return booking.deposit_due
    if booking.status == Booking.Status.CONFIRMED:
        return booking.deposit_due
    return None


def deposit_payment_url(booking: Booking) -> str | None:
    """Where the person pays the deposit (the shop's page), None if nothing is payable."""
    from .payments import deposit_page

    if deposit_payable(booking.pk) is None:
        return None
    return deposit_page(booking)


def signed_contract(session: PhotoSession | None,
                    user_id: int | None) -> tuple[str, bytes, str] | None:
    """The signed contract of the booking behind `session`, as an email attachment (filename,
    content, MIME type), for the person `user_id` if the contract is theirs to keep: who
    booked, or a manager of the company booked for (a company's other members get the
    confirmation without its price and terms). None for a session booked by the studio."""
    booking = (Booking.objects.filter(session=session).first()
               if session is not None and user_id is not None else None)
    if booking is None or not booking.contract_pdf:
        return None
    if user_id not in (booking.client_id, booking.booked_by_id) and not (
            booking.company_id and user_id in _managers_of(booking.company_id)):
        return None
    with booking.contract_pdf.open("rb") as pdf:
        return "contrat-seance.pdf", pdf.read(), "application/pdf"


def balance_due_on(booking: Booking, starts_at: datetime | None = None) -> date | None:
    """The day the booking's balance is due: the type's days before the session (at
    `starts_at` when it moves), never in the past (booked later than that, it is due today);
    None without a balance. The one place this rule is written."""
    if booking.balance <= 0:
        return None
    day = (starts_at or booking.starts_at).astimezone(PARIS).date()
    return max(day - timedelta(days=booking.session_type.balance_due_days_before),
               timezone.localdate())


def balance_due_for(session: PhotoSession) -> date | None:
    """When the balance of the booking behind `session` is due, from the session's date as it
    is now (the studio may have moved it): None without a booking or a balance."""
    booking = (Booking.objects.select_related("session_type").filter(session=session).first()
               if session.scheduled_at is not None else None)
    return balance_due_on(booking, session.scheduled_at) if booking is not None else None


@dataclass(frozen=True)
class HeadshotChoice:
    """A slot of a headshot day as a member sees it: free, theirs, or a colleague's."""

    start: datetime
    taken_by: User | None

    def is_free(self) -> bool:
        return self.taken_by is None


def headshot_starts(day: HeadshotDay) -> list[datetime]:
    """Every start of a member's slot in the day, back to back."""
    booking = day.booking
    step = timedelta(minutes=day.slot_minutes)
    starts, at = [], booking.starts_at
    while at + step <= booking.ends_at:
        starts.append(at.astimezone(PARIS))
        at += step
    return starts


def headshot_slots(day: HeadshotDay) -> list[HeadshotChoice]:
    """The day's slots in order, each with who took it."""
    taken = {slot.starts_at: slot.member
             for slot in day.slots.select_related("member")}
    return [HeadshotChoice(start, taken.get(start)) for start in headshot_starts(day)]


def headshot_sitter_windows(session: PhotoSession) -> list[SitterWindow]:
    """The slots of the headshot day `session` was shot on, as the rushes' sitter windows
    (booker/intake/sitters.py, which reads them through this registered source): each member's
    slot, its own minutes long. None for a session that is not a headshot day's."""
    if session.company_id is None:
        return []
    slots = HeadshotSlot.objects.filter(day__booking__session=session).select_related("day")
    return [
        SitterWindow(slot.starts_at, slot.starts_at + timedelta(minutes=slot.day.slot_minutes),
                     slot.member_id)
        for slot in slots
    ]


def headshot_days_of(user: User) -> list[HeadshotDay]:
    """The open headshot days of the companies a person belongs to, next first."""
    if not user.is_authenticated:
        return []
    return list(
        HeadshotDay.objects.filter(
            is_open=True, booking__status=Booking.Status.CONFIRMED,
            booking__company__memberships__user=user,
            booking__starts_at__gte=timezone.now(),
        ).select_related("booking__session_type", "booking__company")
        .order_by("booking__starts_at").distinct()
    )


def booking_photographers(session_type: SessionType) -> list[User]:
    """Who a client may choose to shoot a type (active photographers of the type)."""
    return list(session_type.photographers.filter(is_active=True).order_by("first_name", "pk"))


def contract_preview(booking: Booking) -> str:
    """The terms as the client reads them before signing; the signed text once signed."""
    if booking.contract_text:
        return booking.contract_text
    from .contract import render_terms

    return render_terms(booking)


# The questionnaire's field for the distance band of an on-site session.
TRAVEL_KEY = "deplacement"


def travel_choices(session_type: SessionType) -> list[tuple[str, str]]:
    """The distance bands an on-site client picks from (value, label), nearest first: "Jusqu'à
    15 km — sans frais", "Jusqu'à 40 km — 45,00 €". None for a studio session."""
    from django.utils.translation import gettext as _

    from booker.money import euros

    return [
        (str(km), _("Up to %(km)d km — %(fee)s") % {
            "km": km, "fee": euros(fee) if fee else _("no travel fee")})
        for km, fee in session_type.travel_bands()
    ]


def asks_questions(session_type: SessionType) -> bool:
    """Whether booking the type has a questions step (its questionnaire, or the distance)."""
    return bool(booking_questions(session_type) or session_type.travel_bands())


def requests_to_answer(user: User) -> list[Booking]:
    """The booking requests (and held slots) awaiting `user`, the photographer they would
    shoot with, from now on: their calendar shows them as tentative."""
    now = timezone.now()
    return list(
        Booking.objects.filter(
            Q(status=Booking.Status.REQUESTED)
            | Q(status=Booking.Status.HELD, held_until__gt=now),
            photographer=user, ends_at__gt=now,
        ).select_related("session_type", "client", "company").order_by("starts_at")
    )


def feed_items(user: User) -> list[dict]:
    """The requests awaiting `user`'s answer and the slots being booked with them, as items
    of their calendar feed (booker.calendars shows them tentative)."""
    items = []
    for booking in requests_to_answer(user):
        who = (booking.company.name if booking.company_id else
               booking.client.get_full_name() if booking.client_id else "")
        summary = (_("Slot being booked: %(type)s") if booking.status == Booking.Status.HELD
                   else _("Request to answer: %(type)s")) % {"type": booking.session_type.name}
        items.append({
            "uid": f"booking-{booking.token}@booke",
            "start": booking.starts_at, "end": booking.ends_at,
            "summary": f"{summary} — {who}" if who else summary,
            "description": absolute_url(reverse("admin:booker_booking_change",
                                                args=[booking.pk])),
            "location": booking.location,
        })
    return items


def studio_move_fits(session_id: int) -> bool | None:
    """Whether a booked session the studio just moved (in the admin, where the studio may
    overrule the calendar) starts on one of its photographer's free slots: in their hours, clear
    of their other sessions, busy times and clients' holds. None: the session was not booked
    online (no session type to check it against)."""
    booking = (Booking.objects.select_related("session_type", "session")
               .filter(session_id=session_id).first())
    if booking is None or booking.session.scheduled_at is None:
        return None
    start = booking.session.scheduled_at
    photographer = booking.session.photographer_id or booking.photographer_id
    day = start.astimezone(PARIS).date()
    # The studio may pick any minute, not only the clients' increments: checked on a
    # one-minute grid (the type is not saved).
    kind = booking.session_type
    kind.slot_increment_minutes = 1
    free = slots(kind, day, day, photographer=photographer,
                 ignore_booking=booking, check_notice=False, check_horizon=False)
    return any(slot.start == start for slot in free)
