"""Writes of online booking: a slot held for a few minutes, the questionnaire, the account it
is for, the signed contract, then a request or a confirmed session; its deposit, its moves and
its cancellation. Every status change goes through `machine.move`.

Two clients racing for one slot: `_lock_photographers` locks the rows of the photographers who
could shoot it (in id order, so two holds never wait on each other in a circle), then the slot
is checked free by the same selector the pages use, then the hold is written, all in one
transaction. The second client's check runs after the first commits and sees its hold."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from booker.errors import StudioError
from booker.events import Event
from booker.models import Company, Membership, PhotoSession, User
from booker.people.models import LEAD_ROLES
from booker.sessions import services as sessions
from booker.sessions.machine import SESSION
from booker.storage import originals_storage

from . import contract, selectors
from .availability import PARIS
from .machine import BOOKING, announce, move
from .models import (
    Booking,
    BookingQuestion,
    HeadshotDay,
    HeadshotSlot,
    SessionType,
    answer_upload_to,
)

Status = Booking.Status


class SlotTaken(StudioError):
    """The slot is no longer free (another client took it, or the studio's calendar changed)."""


def hold_minutes() -> int:
    return settings.BOOKER_HOLD_MINUTES


def _new_token() -> str:
    return secrets.token_urlsafe(16)


def _lock_photographers(ids: Iterable[int]) -> None:
    # The photographer's row is the lock of their calendar: every write that takes a slot
    # holds it until commit (PostgreSQL; SQLite writes one transaction at a time anyway).
    list(User.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
         .values_list("pk", flat=True))


def _free_photographers(session_type: SessionType, start: datetime, *, photographer_id=None,
                        now: datetime | None = None, ignore: Booking | None = None,
                        check_notice: bool = True) -> tuple[int, ...]:
    day = start.astimezone(PARIS).date()
    for slot in selectors.slots(session_type, day, day, photographer=photographer_id, now=now,
                                ignore_booking=ignore, check_notice=check_notice):
        if slot.start == start:
            return slot.photographer_ids
    return ()


def _blocks(session_type: SessionType, start: datetime) -> tuple[datetime, datetime, datetime]:
    start = start.astimezone(UTC)
    end = start + timedelta(minutes=session_type.duration_minutes)
    return (end, start - timedelta(minutes=session_type.buffer_before_minutes),
            end + timedelta(minutes=session_type.buffer_after_minutes))


def hold_slot(session_type: SessionType, start: datetime, *, photographer_id: int | None = None,
              user: User | None = None, holder_key: str = "",
              now: datetime | None = None) -> Booking:
    """Hold the slot starting at `start` for BOOKER_HOLD_MINUTES, with the chosen photographer
    or the first one free. Raises SlotTaken when nobody of the type is free then (or the start
    is not one of the type's slots). The person's earlier holds lapse: one slot at a time."""
    if not session_type.is_active:
        raise SlotTaken(_("This session type cannot be booked online any more."))
    if user is None and not holder_key:
        raise StudioError(_("Your browser did not keep the booking: allow cookies and retry."))
    now = now or timezone.now()
    start = start.astimezone(PARIS)
    candidates = ([photographer_id] if photographer_id else
                  list(session_type.photographers.values_list("pk", flat=True)))
    with transaction.atomic():
        _lock_photographers(candidates)
        free = _free_photographers(session_type, start, photographer_id=photographer_id,
                                   now=now)
        if not free:
            raise SlotTaken(_("This slot has just been taken. Please choose another one."))
        _release_holds_of(user=user, holder_key=holder_key)
        end, blocks_from, blocks_until = _blocks(session_type, start)
        return Booking.objects.create(
            token=_new_token(), session_type=session_type, photographer_id=free[0],
            starts_at=start, ends_at=end, blocks_from=blocks_from, blocks_until=blocks_until,
            held_until=now + timedelta(minutes=hold_minutes()),
            holder_key="" if user is not None else holder_key,
            client=user if user is not None else None,
            price=session_type.price, deposit=session_type.deposit,
            location=_location(session_type), created_at=now, status_changed_at=now,
        )


def _location(session_type: SessionType) -> str:
    if session_type.location_kind == SessionType.Location.STUDIO:
        return str(_("At the studio"))
    return str(_("On site"))


def _release_holds_of(*, user: User | None, holder_key: str) -> None:
    held = Booking.objects.select_for_update().filter(status=Status.HELD, session__isnull=True,
                                                      deposit_paid=0)
    held = held.filter(client=user) if user is not None else held.filter(holder_key=holder_key)
    for booking in held:
        move(booking, Status.EXPIRED, actor=user, reason="another slot chosen")


def _locked(booking: Booking) -> Booking:
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    for field in ("status", "held_until", "client_id", "company_id", "booked_by_id",
                  "deposit_paid", "session_id", "starts_at", "ends_at", "photographer_id"):
        setattr(booking, field, getattr(locked, field))
    return locked


def _check_held(booking: Booking, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if booking.status != Status.HELD or (booking.held_until and booking.held_until <= now):
        raise StudioError(_("Your slot is no longer held: please choose a slot again."))


# --- The questionnaire ------------------------------------------------------------------------


def _answer(question: BookingQuestion, raw: str | None, upload: UploadedFile | None,
            token: str) -> str:
    if question.kind == BookingQuestion.Kind.FILE:
        if upload is None:
            return ""
        if upload.size > settings.BOOKER_BOOKING_FILE_MAX_BYTES:
            raise ValidationError(_("This file is too large (at most %(mb)d MB).") % {
                "mb": settings.BOOKER_BOOKING_FILE_MAX_BYTES // 1024**2})
        name = get_valid_filename(upload.name or "fichier")[-100:] or "fichier"
        return originals_storage().save(answer_upload_to(token, name), upload)
    value = (raw or "").strip()
    if not value:
        return ""
    if question.kind == BookingQuestion.Kind.CHOICE and value not in question.choice_list:
        raise ValidationError(_("Choose one of the answers offered."))
    if question.kind == BookingQuestion.Kind.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("Enter a date such as 2027-03-28.")) from None
    return value[:2000]


def save_answers(booking: Booking, data: Mapping[str, str],
                 files: Mapping[str, UploadedFile] | None = None) -> None:
    """The questionnaire's answers, keyed `q<question id>`. Raises ValidationError with the
    messages by key; nothing is saved unless every answer is valid."""
    files = files or {}
    errors: dict[str, list[str]] = {}
    answers = []
    questions = selectors.booking_questions(booking.session_type)
    # Files are stored only once every other answer is valid, so a refused form leaves none.
    for question in sorted(questions, key=lambda q: q.kind == BookingQuestion.Kind.FILE):
        key = f"q{question.pk}"
        try:
            if question.kind == BookingQuestion.Kind.FILE and errors:
                continue
            value = _answer(question, data.get(key), files.get(key), booking.token)
        except ValidationError as error:
            errors[key] = error.messages
            continue
        if question.required and not value:
            errors[key] = [str(_("This answer is required."))]
            continue
        answers.append({"question": question.pk, "label": question.label,
                        "kind": question.kind, "value": value, "order": question.order})
    travel = _travel_band(booking.session_type, data.get(selectors.TRAVEL_KEY), errors)
    if errors:
        raise ValidationError(errors)
    answers.sort(key=lambda a: (a.pop("order"), a["question"]))
    fields: dict = {"answers": answers}
    if travel is not None:
        # The travel fee is part of the price, and of a deposit that is a share of it.
        price = booking.session_type.price + travel[1]
        fields.update(travel_up_to_km=travel[0], travel_fee=travel[1], price=price,
                      deposit=booking.session_type.deposit_for(price))
    with transaction.atomic():
        _locked(booking)
        _check_held(booking)
        Booking.objects.filter(pk=booking.pk).update(**fields)
        for name, value in fields.items():
            setattr(booking, name, value)


def _travel_band(session_type: SessionType, raw: str | None,
                 errors: dict[str, list[str]]) -> tuple[int, Decimal] | None:
    bands = session_type.travel_bands()
    if not bands:
        return None
    chosen = next((band for band in bands if str(band[0]) == (raw or "").strip()), None)
    if chosen is None:
        errors[selectors.TRAVEL_KEY] = [str(_(
            "Choose how far from the studio the session takes place (farther than the last "
            "distance: please call the studio)."))]
    return chosen


# --- Whose booking it is ----------------------------------------------------------------------


def claim_booking(booking: Booking, *, user: User, company: Company | None = None) -> None:
    """The account the booking is for: the person (B2C), or a company they manage (B2B, the
    company's session, the person as who booked it). A visitor's hold becomes theirs."""
    if company is not None and not Membership.objects.filter(
        company=company, user=user, role__in=LEAD_ROLES
    ).exists():
        raise StudioError(_("Only an admin or an approver of %(company)s can book for it.") % {
            "company": company.name})
    with transaction.atomic():
        _locked(booking)
        _check_held(booking)
        client = None if company else user
        fields = {"holder_key": "", "booked_by": user, "client": client, "company": company}
        # A signature given for another person or company must be given again.
        if (booking.client_id, booking.company_id) != (client and client.pk,
                                                        company and company.pk):
            fields.update(contract_signed_name="", contract_signed_at=None,
                          contract_signed_ip=None, contract_text="")
        Booking.objects.filter(pk=booking.pk).update(**fields)
        for name, value in fields.items():
            setattr(booking, name, value)


# --- The contract -----------------------------------------------------------------------------


def sign_contract(booking: Booking, *, name: str, ip: str | None,
                  now: datetime | None = None) -> None:
    """Record the client's acceptance of the type's terms, rendered for this booking: the name
    they typed, when, from which address; and keep the signed copy as a PDF."""
    name = " ".join((name or "").split())[:200]
    if not name:
        raise StudioError(_("Type your full name to sign."))
    now = now or timezone.now()
    with transaction.atomic():
        _locked(booking)
        _check_held(booking, now)
        if booking.client_id is None and booking.company_id is None:
            raise StudioError(_("Log in or create your account before signing."))
        booking.contract_text = contract.render_terms(booking)
        booking.contract_signed_name, booking.contract_signed_at = name, now
        booking.contract_signed_ip = ip or None
        pdf = contract.contract_pdf(booking)
        if booking.contract_pdf:
            booking.contract_pdf.delete(save=False)
        booking.contract_pdf.save("contrat.pdf", ContentFile(pdf), save=False)
        booking.save(update_fields=["contract_text", "contract_signed_name",
                                    "contract_signed_at", "contract_signed_ip", "contract_pdf"])


# --- Request, confirmation, deposit -------------------------------------------------------------


def submit_booking(booking: Booking, *, actor: User | None) -> Booking:
    """After the contract: a request for the studio to approve, a confirmed session when no
    deposit is due, or (deposit due) the booking stays held while the client pays."""
    with transaction.atomic():
        _locked(booking)
        _check_held(booking)
        if booking.contract_signed_at is None:
            raise StudioError(_("Sign the contract first."))
        if booking.session_type.needs_approval:
            Booking.objects.filter(pk=booking.pk).update(held_until=None)
            booking.held_until = None
            move(booking, Status.REQUESTED, actor=actor)
        elif booking.deposit_due <= 0:
            _confirm(booking, actor=actor)
    return booking


def _title(booking: Booking) -> str:
    who = (booking.company.name if booking.company_id else
           booking.client.get_full_name() or booking.client.email)
    return f"{booking.session_type.name} — {who}"


def _confirm(booking: Booking, *, actor: User | None) -> None:
    """The booking becomes a session: dated, with its photographer and the package's terms
    (booker.sessions.services.create_session confirms it to the client, with the .ics)."""
    session = sessions.create_session(
        title=_title(booking), client=booking.client, company=booking.company,
        package=booking.session_type.package, photographer=booking.photographer, actor=actor,
        scheduled_at=booking.starts_at,
        duration_minutes=booking.session_type.duration_minutes, location=booking.location,
    )
    booking.session, booking.balance_due_on = session, selectors.balance_due_on(booking)
    Booking.objects.filter(pk=booking.pk).update(session=session, held_until=None,
                                                 balance_due_on=booking.balance_due_on)
    booking.held_until = None
    move(booking, Status.CONFIRMED, actor=actor, balance=str(booking.balance),
         balance_due_on=booking.balance_due_on.isoformat() if booking.balance_due_on else "")


def _slot_still_free(booking: Booking) -> bool:
    _lock_photographers([booking.photographer_id])
    free = _free_photographers(booking.session_type, booking.starts_at.astimezone(PARIS),
                               photographer_id=booking.photographer_id, ignore=booking,
                               check_notice=False)
    return bool(free)


def _seen(booking: Booking, reference: str) -> dict | None:
    return next((p for p in booking.deposit_references if p["reference"] == reference), None)


def _take_payment(booking_id: int, amount: Decimal, *, reference: str,
                  actor: User | None) -> bool:
    with transaction.atomic():
        booking = Booking.objects.select_for_update(of=("self",)).select_related(
            "session_type", "client", "company").get(pk=booking_id)
        seen = _seen(booking, reference)
        if seen is not None:
            return seen["kept"]
        # A second payment of a deposit already paid is refunded whole.
        kept = (booking.status in (Status.CONFIRMED, Status.REQUESTED)
                and amount <= booking.deposit_due)
        if booking.status in (Status.HELD, Status.EXPIRED):
            # A deposit that arrives after the hold lapsed books the slot if it is still free.
            held = (booking.status == Status.HELD and booking.held_until is not None
                    and booking.held_until > timezone.now())
            kept = held or _slot_still_free(booking)
            if not kept and booking.status == Status.HELD:
                move(booking, Status.EXPIRED, actor=actor, reason="slot lost before payment")
        references = [*booking.deposit_references,
                      {"reference": reference, "amount": str(amount), "kept": kept}]
        paid = booking.deposit_paid + (amount if kept else Decimal("0"))
        Booking.objects.filter(pk=booking.pk).update(deposit_references=references,
                                                     deposit_paid=paid)
        booking.deposit_references, booking.deposit_paid = references, paid
        if kept and booking.status in (Status.HELD, Status.EXPIRED):
            _confirm(booking, actor=actor)
        return kept


def booking_paid(booking_id: int, amount: Decimal, *, reference: str,
                 actor: User | None = None) -> bool:
    """The shop received `amount` for the booking's deposit (`reference`: its order). A held
    booking is confirmed; one whose hold lapsed is confirmed if its slot is still free.
    Returns whether the money is kept: False (slot lost, booking cancelled or declined) means
    the caller refunds it all. A reference heard twice gives the same answer, counted once."""
    if amount <= 0:
        raise StudioError(_("A deposit payment is a positive amount."))
    return _take_payment(booking_id, amount, reference=reference, actor=actor)


def booking_invoiced(booking_id: int, *, reference: str, actor: User | None = None) -> bool:
    """A company's deposit ordered on invoice: the booking is confirmed as if paid (the
    invoice is the company's promise); False when the slot was lost (the caller cancels the
    order)."""
    return _take_payment(booking_id, Decimal("0"), reference=reference, actor=actor)


def approve_booking(booking: Booking, *, actor: User | None) -> None:
    """The studio accepts a request: the session is booked, and any deposit becomes due."""
    with transaction.atomic():
        _locked(booking)
        BOOKING.check(booking.status, Status.CONFIRMED)
        _confirm(booking, actor=actor)


def decline_booking(booking: Booking, *, actor: User | None, reason: str = "") -> None:
    """The studio turns a request down: the client is told why; anything paid is refunded."""
    with transaction.atomic():
        _locked(booking)
        refund = booking.deposit_paid
        Booking.objects.filter(pk=booking.pk).update(note=reason, refunded=refund)
        booking.note, booking.refunded = reason, refund
        move(booking, Status.DECLINED, actor=actor, reason=reason, refund=str(refund))


def cancel_booking(booking: Booking, *, actor: User | None, by_studio: bool = False,
                   reason: str = "", now: datetime | None = None) -> Decimal:
    """Cancel a booking and its session. Returns the refund the shop makes: for the client, the
    type's refund rules applied to the deposit paid, by days before the session; when the
    studio cancels, everything paid."""
    now = now or timezone.now()
    with transaction.atomic():
        _locked(booking)
        BOOKING.check(booking.status, Status.CANCELLED)
        refund = (booking.deposit_paid if by_studio
                  else selectors.refund_if_cancelled(booking, now=now))
        refund = min(refund, booking.deposit_paid - booking.refunded)
        Booking.objects.filter(pk=booking.pk).update(note=reason,
                                                     refunded=booking.refunded + refund)
        booking.note, booking.refunded = reason, booking.refunded + refund
        if booking.session is not None:
            session = PhotoSession.objects.select_for_update().get(pk=booking.session_id)
            if SESSION.allows(session.status, PhotoSession.Status.CANCELLED):
                sessions.cancel_session(session, actor=actor, reason=reason,
                                        refund=str(refund))
        move(booking, Status.CANCELLED, actor=actor, refund=str(refund), by_studio=by_studio,
             reason=reason)
    return refund


def reschedule_booking(booking: Booking, start: datetime, *, actor: User | None,
                       photographer_id: int | None = None, by_studio: bool = False,
                       now: datetime | None = None) -> None:
    """Move a confirmed booking (and its session) to another free slot of its type. The
    client may do it until the type's notice before the session; the studio any time. The
    client gets the session's updated .ics (booker.sessions.services.reschedule_session)."""
    now = now or timezone.now()
    start = start.astimezone(PARIS)
    with transaction.atomic():
        _locked(booking)
        if booking.status not in (Status.CONFIRMED, Status.REQUESTED):
            raise StudioError(_("Only a confirmed or requested booking can be moved."))
        if not by_studio and not selectors.can_reschedule(booking, now=now):
            raise StudioError(_(
                "This session can no longer be moved online (less than %(hours)d hours "
                "before it): please call the studio."
            ) % {"hours": booking.session_type.reschedule_notice_hours})
        who = photographer_id or booking.photographer_id
        _lock_photographers([who, booking.photographer_id])
        free = _free_photographers(booking.session_type, start, photographer_id=who, now=now,
                                   ignore=booking, check_notice=not by_studio)
        if not free:
            raise SlotTaken(_("This slot has just been taken. Please choose another one."))
        previous = booking.starts_at
        end, blocks_from, blocks_until = _blocks(booking.session_type, start)
        fields = {"starts_at": start, "ends_at": end, "blocks_from": blocks_from,
                  "blocks_until": blocks_until, "photographer_id": free[0],
                  "balance_due_on": selectors.balance_due_on(booking, start)}
        Booking.objects.filter(pk=booking.pk).update(**fields)
        for name, value in fields.items():
            setattr(booking, name, value)
        if booking.session_id is not None:
            session = PhotoSession.objects.get(pk=booking.session_id)
            if session.photographer_id != free[0]:
                PhotoSession.objects.filter(pk=session.pk).update(photographer_id=free[0])
            sessions.reschedule_session(session, start, actor=actor)
        announce(booking, Event.BOOKING_RESCHEDULED, actor=actor,
                 previous=previous.isoformat(), starts_at=start.isoformat())


def session_moved(session_id: int) -> None:
    """The studio moved a booked session in the admin: its booking follows (the slot it
    blocks, the balance's due date)."""
    with transaction.atomic():
        booking = (Booking.objects.select_for_update(of=("self",))
                   .select_related("session_type", "session")
                   .filter(session_id=session_id).first())
        if booking is None or booking.session.scheduled_at is None:
            return
        start = booking.session.scheduled_at
        if start == booking.starts_at and booking.session.photographer_id in (
                None, booking.photographer_id):
            return
        end, blocks_from, blocks_until = _blocks(booking.session_type, start)
        booking.starts_at = start
        Booking.objects.filter(pk=booking.pk).update(
            starts_at=start, ends_at=end, blocks_from=blocks_from, blocks_until=blocks_until,
            photographer_id=booking.session.photographer_id or booking.photographer_id,
            balance_due_on=selectors.balance_due_on(booking),
        )


def session_cancelled(session_id: int, *, actor_id: int | None) -> None:
    """The studio cancelled a booked session in the admin: its booking is cancelled by the
    studio (everything paid refunded)."""
    booking = Booking.objects.filter(session_id=session_id).first()
    if booking is None or not BOOKING.allows(booking.status, Status.CANCELLED):
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    cancel_booking(booking, actor=actor, by_studio=True,
                   reason=str(_("Session cancelled by the studio.")))


def session_shot(session_id: int) -> None:
    """The session took place: its booking is done."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(session_id=session_id).first()
        if booking is not None and booking.status == Status.CONFIRMED:
            move(booking, Status.DONE, actor=None)


def expire_holds(now: datetime | None = None) -> int:
    """Release the slots held longer than BOOKER_HOLD_MINUTES without being paid or requested.
    Returns how many lapsed."""
    now = now or timezone.now()
    lapsed = 0
    for pk in Booking.objects.filter(status=Status.HELD, held_until__lte=now).values_list(
            "pk", flat=True):
        with transaction.atomic():
            booking = (Booking.objects.select_for_update(skip_locked=True)
                       .filter(pk=pk, status=Status.HELD, held_until__lte=now).first())
            if booking is not None:
                move(booking, Status.EXPIRED, actor=None)
                lapsed += 1
    return lapsed


# --- A company's headshot day -----------------------------------------------------------------


def open_headshot_day(booking: Booking, *, slot_minutes: int = 10,
                      actor: User | None = None) -> HeadshotDay:
    """Let a company's members pick their slot in its confirmed booking (the studio, once the
    quote is agreed). Opening again changes the slot length while nobody has picked."""
    if booking.company_id is None or booking.status != Status.CONFIRMED:
        raise StudioError(_("Only a company's confirmed booking becomes a headshot day."))
    if slot_minutes < 5 or slot_minutes > booking.session_type.duration_minutes:
        raise StudioError(_("A slot lasts from 5 minutes to the whole session."))
    with transaction.atomic():
        day, created = HeadshotDay.objects.select_for_update().get_or_create(
            booking=booking, defaults={"slot_minutes": slot_minutes})
        if not created and day.slot_minutes != slot_minutes:
            if day.slots.exists():
                raise StudioError(_("Members have picked their slots: the length stays."))
            day.slot_minutes = slot_minutes
        opened = created or not day.is_open
        day.is_open = True
        day.save()
        if opened:
            # The members are told to pick (the engine's "headshot-day-opened" rule).
            announce(booking, Event.HEADSHOT_DAY_OPENED, actor=actor, day=day.pk)
    return day


def pick_headshot_slot(day: HeadshotDay, member: User, start: datetime) -> HeadshotSlot:
    """A member of the company takes a free slot of the day (their earlier pick, if any, is
    given up). Raises SlotTaken when another member took it first."""
    if not day.is_open or day.booking.status != Status.CONFIRMED:
        raise StudioError(_("This headshot day is not open for picking."))
    if not Membership.objects.filter(company_id=day.booking.company_id, user=member).exists():
        raise StudioError(_("Only the company's members pick a slot on its headshot day."))
    if start not in selectors.headshot_starts(day):
        raise SlotTaken(_("This slot is not one of the day's."))
    try:
        with transaction.atomic():
            HeadshotSlot.objects.filter(day=day, member=member).delete()
            return HeadshotSlot.objects.create(day=day, member=member, starts_at=start)
    except IntegrityError:
        raise SlotTaken(
            _("This slot has just been taken. Please choose another one.")) from None


def release_headshot_slot(day: HeadshotDay, member: User) -> bool:
    """The member gives their slot back. Returns whether they had one."""
    deleted, _rows = HeadshotSlot.objects.filter(day=day, member=member).delete()
    return bool(deleted)

