"""The Booker's domain events: one name per thing that happens, and how to hear it.

Every event is stored as a `SessionEvent` row (the session's history, in the studio page and
for the CRM) and, once its transaction commits, sent to the subscribers of its name: the shop
and the notifications react to the studio through here, never by parsing a string or by the
Booker calling them.

    from booker.events import Event, subscribe

    @subscribe(Event.SELECTION_SUBMITTED)
    def on_selection(event: Happened) -> None: ...

Payloads (the row's `payload`, JSON), by event:
- session.<status> (a status change): what the move recorded (below), plus the row's own
  `from_status` / `to_status`. `session.proofing`: proofs, failed (counts);
  `session.awaiting_payment`: picked, extras (rush ids), unit_price;
  `session.selection_submitted`: picked; `session.cancelled`: reason.
- session.booked: none. session.extras_paid: reference (the shop's order), rushes, picked.
  session.extras_paid_unmatched: reference, rushes, status (nothing moved).
  session.selection_reopened, session.restored: none.
- retouch.<job status>: job (id), rush (id), note.
- rush.failed: rush (id), reason. archive.failed / restore.failed: rush (id), reason.
- session.confirmed: none. session.rescheduled: previous, scheduled_at (ISO datetimes).
- session.delivery_expiring: expires_at (ISO datetime).
- session.proofs_added (more proofs visible to the client after publication, once a batch of
  rushes has settled: `booker.intake.services.announce_new_proofs`): proofs (count), rushes
  (ids).
- session.delivery_extended (the studio pushed the downloads' closing back): expires_at (ISO
  datetime), previous_expires_at (ISO datetime or None).
- The photographer's curation of the proofs (booker/proofing/curation.py), actor: who did it.
  session.proofs_hidden / session.proofs_shown: rushes (ids), names (their file names, the
  first CURATION_NAMES), count. session.proofs_set: set (its name, "" when taken out of
  any), rushes, names, count. session.proof_moved: rush (id), name, delta (places: -1 earlier,
  +1 later), set_moved (true when the whole set moved), position (its place in its set from
  1, only for a drag and drop). session.cover_chosen: rush (id or None),
  name ("" for no cover).
- retouch.assigned: jobs (ids), assignee (user id).
- session.finals_sent_for_approval (a package where the client approves the finals): photos
  (how many the client is asked about). session.finals_approved: photos (every final, the
  client approved them all). retouch.client_changes_requested: job (id), rush (its file name),
  note (the client's words).
- account.invited (subject "invitation:<pk>", user: the invited person): session_id
  (the session the client is invited to, or None).
- order.* (subject "order:<pk>", user: the customer if logged in): number, total.
- invoice.due / invoice.overdue (subject "order:<pk>"): number, due_date.
- basket.abandoned (subject "basket:<pk>", user): lines, total.
- order.approval_requested / order.approved / order.approval_refused (subject
  "approval:<pk>", user: the member who ordered): company (id), order_number, total;
  order.approval_refused: reason.
- order.credit_note_issued (subject "order:<pk>"): company (id or None), credit_note (its
  number), invoice (number), amount (euros, string), reason.
- booking.* (subject "booking:<pk>", user: the client or the company's booker; the session once
  there is one): booking (token), from_status, to_status; booking.cancelled: refund (euros,
  string), by_studio, reason; booking.declined: reason; booking.rescheduled: previous,
  starts_at (ISO datetimes).
- team.* (subject "company:<pk>", user: the person concerned once they have an account):
  company (id), email, role; team.role_changed: previous (the role before).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from booker.models import SessionEvent


class Event(StrEnum):
    # A session's status changes: "session." + the status it arrives at (sessions/machine.py).
    SESSION_SHOT = "session.shot"
    PROOFS_PUBLISHED = "session.proofing"
    EXTRAS_AWAITING_PAYMENT = "session.awaiting_payment"
    SELECTION_SUBMITTED = "session.selection_submitted"
    RETOUCHING_STARTED = "session.retouching"
    SESSION_DELIVERED = "session.delivered"
    SESSION_ARCHIVED = "session.archived"
    RESTORE_REQUESTED = "session.restoring"
    SESSION_CANCELLED = "session.cancelled"
    # Status changes that say more than the status they arrive at.
    EXTRAS_PAID = "session.extras_paid"
    SELECTION_REOPENED = "session.selection_reopened"
    SESSION_RESTORED = "session.restored"
    # Events without a status change.
    SESSION_BOOKED = "session.booked"
    # A date is agreed: at once for a session the studio books, after approval or deposit for
    # one booked online.
    SESSION_CONFIRMED = "session.confirmed"
    SESSION_RESCHEDULED = "session.rescheduled"
    # The clock's events (booker/automation/clock.py): the download window of a delivered
    # session closes in BOOKER_DELIVERY_WARN_DAYS.
    DELIVERY_EXPIRING = "session.delivery_expiring"
    # The studio pushed the downloads' closing date back (booker/delivery/services.py).
    DELIVERY_EXTENDED = "session.delivery_extended"
    EXTRAS_PAID_UNMATCHED = "session.extras_paid_unmatched"
    # More proofs in the client's gallery after publication: one per settled batch of rushes.
    PROOFS_ADDED = "session.proofs_added"
    # The photographer's curation of the proofs (booker/proofing/curation.py): what the client
    # sees, in which sections and order, and the gallery's cover. History only: no rule hears
    # them by default.
    PROOFS_HIDDEN = "session.proofs_hidden"
    PROOFS_SHOWN = "session.proofs_shown"
    PROOFS_SET = "session.proofs_set"
    PROOF_MOVED = "session.proof_moved"
    COVER_CHOSEN = "session.cover_chosen"
    # The client (or a member of the company) opened the session's gallery: at most one a
    # person, session and day (booker.sessions.services.note_gallery_visit), for the CRM's
    # timeline.
    GALLERY_VISITED = "session.gallery_visited"
    # A client's view-only link for their family (booker/delivery/services.py), payload link
    # (id), expires_at: made, or revoked before it expired.
    SHARE_CREATED = "delivery.share_created"
    SHARE_REVOKED = "delivery.share_revoked"
    RUSH_FAILED = "rush.failed"
    ARCHIVE_FAILED = "archive.failed"
    RESTORE_FAILED = "restore.failed"
    # A retouch job's status changes: "retouch." + the job's new status (retouch/machine.py).
    JOB_TODO = "retouch.todo"
    JOB_STARTED = "retouch.in_progress"
    JOB_IN_REVIEW = "retouch.in_review"
    JOB_DONE = "retouch.done"
    JOB_CHANGES_REQUESTED = "retouch.changes_requested"
    # Jobs handed to a retoucher (not a status change): jobs (ids), assignee (user id).
    JOB_ASSIGNED = "retouch.assigned"
    # A package where the client approves the finals before delivery (booker/retouch/
    # services.py): the studio sends them, the client approves them all, or asks a change on
    # one (its job also moves back to the retoucher: retouch.changes_requested).
    FINALS_SENT_FOR_APPROVAL = "session.finals_sent_for_approval"
    FINALS_CLIENT_APPROVED = "session.finals_approved"
    CLIENT_CHANGES_REQUESTED = "retouch.client_changes_requested"
    # The people's events, with no session: an account opened by the studio.
    CLIENT_INVITED = "account.invited"
    # The shop's events (emitted by the shop through booker.events.emit; the Booker only names
    # them): an order placed, paid, shipped; an invoice due soon or overdue; a basket left.
    ORDER_PLACED = "order.placed"
    ORDER_PAID = "order.paid"
    ORDER_SHIPPED = "order.shipped"
    INVOICE_DUE = "invoice.due"
    INVOICE_OVERDUE = "invoice.overdue"
    BASKET_ABANDONED = "basket.abandoned"
    # A company's order above its approval threshold (shop.payments, issue 18), subject
    # "approval:<pk>": waiting for an approver, then approved (placed) or refused.
    ORDER_APPROVAL_REQUESTED = "order.approval_requested"
    ORDER_APPROVED = "order.approved"
    ORDER_APPROVAL_REFUSED = "order.approval_refused"
    # A credit note cancels all or part of an invoice (subject "order:<pk>").
    CREDIT_NOTE_ISSUED = "order.credit_note_issued"
    # A booking made online (booker/booking/machine.py): "booking." + the status it arrives at,
    # and its move to another slot.
    BOOKING_REQUESTED = "booking.requested"
    BOOKING_CONFIRMED = "booking.confirmed"
    BOOKING_DONE = "booking.done"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_DECLINED = "booking.declined"
    BOOKING_EXPIRED = "booking.expired"
    BOOKING_RESCHEDULED = "booking.rescheduled"
    # A company's booking opened as a headshot day: its members pick their slots.
    HEADSHOT_DAY_OPENED = "booking.headshot_day_opened"
    # A company's team (booker/teams/services.py), subject "company:<pk>", payload company
    # (id), email, role: someone invited, an invitation revoked, someone who joined, a role
    # changed (payload previous), a member removed. The company's activity log reads them.
    TEAM_INVITED = "team.invited"
    TEAM_INVITATION_REVOKED = "team.invitation_revoked"
    TEAM_JOINED = "team.joined"
    TEAM_ROLE_CHANGED = "team.role_changed"
    TEAM_MEMBER_REMOVED = "team.member_removed"

    # The studio's words for some of the above.
    FINALS_APPROVED = "retouch.done"
    ORIGINALS_ARCHIVED = "session.archived"
    ORIGINALS_RESTORED = "session.restored"

    @classmethod
    def arriving_at(cls, status: str) -> Event:
        """The event of a session arriving at `status`."""
        return cls(f"session.{status}")

    @classmethod
    def job_arriving_at(cls, status: str) -> Event:
        return cls(f"retouch.{status}")


@dataclass(frozen=True)
class Happened:
    """What a subscriber receives: the event, its session (None for an event about an order or
    an account), who did it, its payload, and for events without a session what they concern:
    `subject` ("order:<pk>", "invitation:<pk>"…) and the person (`user_id`)."""

    event: Event
    session_id: int | None
    actor_id: int | None
    payload: dict[str, Any]
    record_id: int
    subject: str = ""
    user_id: int | None = None

    @classmethod
    def of(cls, row: SessionEvent) -> Happened:
        return cls(Event(row.name), row.session_id, row.actor_id, dict(row.payload), row.pk,
                   row.subject, row.user_id)


Subscriber = Callable[[Happened], None]
_subscribers: dict[Event, list[Subscriber]] = defaultdict(list)


def subscribe(*events: Event) -> Callable[[Subscriber], Subscriber]:
    """Decorator: call the function after the commit of each of `events`. Connect from an
    app's `receivers.py`, imported in its `ready()`; a function is subscribed once."""

    def register(fn: Subscriber) -> Subscriber:
        for event in events:
            if fn not in _subscribers[event]:
                _subscribers[event].append(fn)
        return fn

    return register


def unsubscribe(event: Event, fn: Subscriber) -> None:
    if fn in _subscribers[event]:
        _subscribers[event].remove(fn)


def record(
    session: Any,
    event: Event,
    *,
    actor: Any = None,
    from_status: str = "",
    to_status: str = "",
    at: Any = None,
    **payload: Any,
) -> SessionEvent:
    """Store `event` in the session's history and publish it (the state machines call it with
    their move)."""
    return emit(event, session=session, actor=actor, from_status=from_status,
                to_status=to_status, at=at, **payload)


def emit(
    event: Event,
    *,
    session: Any = None,
    subject: str = "",
    user: Any = None,
    actor: Any = None,
    from_status: str = "",
    to_status: str = "",
    at: Any = None,
    **payload: Any,
) -> SessionEvent:
    """Store `event` and publish it after commit: the one place an event is written. An event
    about a session names it; one about an order or an account names its `subject`
    ("order:<pk>") and the person it concerns (`user`)."""
    from booker.models import SessionEvent

    if session is None and not subject:
        raise ValueError(f"{event}: an event concerns a session or a subject")
    fields: dict[str, Any] = {"created_at": at} if at is not None else {}
    row = SessionEvent.objects.create(
        session=session, name=Event(event), subject=subject, user=user, actor=actor,
        from_status=from_status, to_status=to_status, payload=payload, **fields,
    )
    publish(row)
    return row


def publish(row: SessionEvent) -> None:
    """Send the stored event to its subscribers once the transaction that wrote it commits
    (an event rolled back never happened)."""
    happened = Happened.of(row)
    for fn in list(_subscribers[happened.event]):
        transaction.on_commit(lambda fn=fn: fn(happened), robust=True)
