"""A contact's timeline: everything that happened with a person or a company, newest first,
from a small registry of sources.

A source is a function `contact -> entries`. The Booker registers its own below (its domain
events, the automation's emails, the leads, the studio's notes and tasks, the downloads);
parts of the site that the Booker may not import register theirs from their AppConfig.ready
(the shop its orders, the marketing its campaign sends):

    from booker.crm import timeline
    timeline.register(my_source)

Each source reads at most `PER_SOURCE` rows, newest first, so a long-standing client's page
costs a bounded number of queries: one or two per source."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from booker.automation.context import EVENT_LABELS
from booker.crm.selectors import consents_of
from booker.events import Event
from booker.models import (
    Contact,
    ContactNote,
    ContactTask,
    DownloadLog,
    Lead,
    MarketingConsent,
    Message,
    PhotoSession,
    SessionEvent,
)

PER_SOURCE = 200
# Recipients of the automation's emails who are the studio, not the contact.
STUDIO_SIDE = ("photographer", "retoucher", "shop_managers", "studio")

# The kinds of entries (a CSS class and the column "what" of the panel).
EVENT, EMAIL, LEAD, NOTE, TASK, DOWNLOAD, ORDER, CONSENT = (
    "event", "email", "lead", "note", "task", "download", "order", "consent")


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    title: str
    detail: str = ""
    session_id: int | None = None
    url: str = ""
    # A problem worth the studio's eye (a bounced email, a task overdue).
    alert: bool = False


Source = Callable[[Contact], Iterable[Entry]]
_sources: list[Source] = []


def register(source: Source) -> None:
    """Add `source`'s entries to every contact's timeline (registering twice counts once)."""
    if source not in _sources:
        _sources.append(source)


def registered() -> tuple[Source, ...]:
    return tuple(_sources)


def timeline(contact: Contact, *, session: PhotoSession | None = None,
             limit: int = 100) -> list[Entry]:
    """The contact's entries, newest first. With `session`: that session's, and those about
    the contact as a whole (leads, orders, notes not tied to another session)."""
    entries: list[Entry] = []
    for source in _sources:
        entries.extend(source(contact))
    if session is not None:
        entries = [e for e in entries if e.session_id in (None, session.pk)]
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]


# --- The Booker's own sources --------------------------------------------------------------

# The studio's inner workings (retouching, archiving, the proofs' curation) are the session's
# own history, not the relation with the client: left off the contact's timeline.
BEHIND_THE_SCENES = frozenset({
    Event.SESSION_SHOT, Event.RETOUCHING_STARTED, Event.SESSION_ARCHIVED,
    Event.RESTORE_REQUESTED, Event.SESSION_RESTORED, Event.RUSH_FAILED, Event.ARCHIVE_FAILED,
    Event.RESTORE_FAILED, Event.JOB_TODO, Event.JOB_STARTED, Event.JOB_IN_REVIEW,
    Event.JOB_DONE, Event.JOB_CHANGES_REQUESTED, Event.JOB_ASSIGNED, Event.PROOFS_HIDDEN,
    Event.PROOFS_SHOWN, Event.PROOFS_SET, Event.PROOF_MOVED, Event.COVER_CHOSEN,
    Event.DELIVERY_EXPIRING, Event.EXTRAS_PAID_UNMATCHED, Event.BOOKING_EXPIRED,
    # The order itself is the shop's entry (shop/payments/crm_timeline.py: its number, total
    # and dashboard link); its payment and shipping stay events.
    Event.ORDER_PLACED,
})


def _sessions_of(contact: Contact) -> Q:
    if contact.company_id:
        return Q(company_id=contact.company_id)
    if contact.user_id:
        return Q(client_id=contact.user_id)
    return Q(pk__in=[])


def _event_detail(row: SessionEvent) -> str:
    payload = row.payload or {}
    for key in ("number", "reason", "order_number", "email"):
        if payload.get(key):
            return str(payload[key])
    return ""


def domain_events(contact: Contact) -> list[Entry]:
    """What happened in the contact's sessions (bookings, payments, proofs, picks,
    deliveries), and the events about them without a session (orders, invoices, their
    account; a company's team)."""
    about = Q(session__in=PhotoSession.objects.filter(_sessions_of(contact)))
    if contact.user_id:
        about |= Q(session__isnull=True, user_id=contact.user_id)
    if contact.company_id:
        about |= (Q(session__isnull=True, subject=f"company:{contact.company_id}")
                  | Q(session__isnull=True, payload__company=contact.company_id))
    rows = (SessionEvent.objects.filter(about).exclude(name__in=BEHIND_THE_SCENES)
            .select_related("session").order_by("-created_at", "-pk")[:PER_SOURCE])
    entries = []
    for row in rows:
        label = EVENT_LABELS.get(row.name, row.name)
        detail = _event_detail(row)
        if row.session is not None:
            detail = f"{row.session.title} — {detail}" if detail else row.session.title
        kind = ORDER if row.name.startswith(("order.", "invoice.", "basket.")) else EVENT
        entries.append(Entry(row.created_at, kind, str(label), detail,
                             session_id=row.session_id))
    return entries


def emails(contact: Contact) -> list[Entry]:
    """The automation's emails to the contact: sent, bounced later (the recipient's server
    returned it), or given up (refused at sending)."""
    Status = Message.Status
    to = Q(user_id=contact.user_id) if contact.user_id else Q(pk__in=[])
    if contact.email:
        to |= Q(recipient__iexact=contact.email)
    if contact.company_id:
        to |= Q(session__company_id=contact.company_id)
    # The studio's own mail about the contact's sessions (to the photographer, a retoucher,
    # the shop) is the studio's work, not something that happened with the contact.
    rows = (Message.objects.filter(to, action="email",
                                   status__in=[Status.SENT, Status.BOUNCED, Status.DEAD])
            .exclude(recipient_role__in=STUDIO_SIDE)
            .order_by("-created_at", "-pk")[:PER_SOURCE])
    entries = []
    for row in rows:
        if row.status in (Status.SENT, Status.BOUNCED):
            entries.append(Entry(row.sent_at or row.created_at, EMAIL, gettext("Email sent"),
                                 f"{row.subject or row.template_key} → {row.recipient}",
                                 session_id=row.session_id))
        if row.status == Status.BOUNCED:
            # Returned later by the recipient's server (booker.bounces): its diagnostic.
            entries.append(Entry(row.bounced_at or row.sent_at or row.created_at, EMAIL,
                                 gettext("Email bounced"),
                                 f"{row.subject or row.template_key} → {row.recipient}: "
                                 f"{row.last_error}".strip(),
                                 session_id=row.session_id, alert=True))
        elif row.status == Status.DEAD:
            entries.append(Entry(row.created_at, EMAIL, gettext("Email not delivered"),
                                 f"{row.subject or row.template_key} → {row.recipient}: "
                                 f"{row.last_error}".strip(),
                                 session_id=row.session_id, alert=True))
    return entries


def leads(contact: Contact) -> list[Entry]:
    rows = Lead.objects.filter(contact=contact).order_by("-created_at", "-pk")[:PER_SOURCE]
    return [Entry(lead.created_at, LEAD, gettext("Request received"),
                  " — ".join(p for p in (lead.subject, lead.message[:200]) if p))
            for lead in rows]


def notes(contact: Contact) -> list[Entry]:
    rows = (ContactNote.objects.filter(contact=contact).select_related("author")
            .order_by("-created_at", "-pk")[:PER_SOURCE])
    return [Entry(note.created_at, NOTE,
                  gettext("Note by %(author)s") % {"author": note.author} if note.author_id
                  else gettext("Studio note"),
                  note.body, session_id=note.session_id)
            for note in rows]


def tasks(contact: Contact) -> list[Entry]:
    rows = (ContactTask.objects.filter(contact=contact).select_related("assignee")
            .order_by("-created_at", "-pk")[:PER_SOURCE])
    entries = []
    for task in rows:
        state = gettext("done") if task.done else gettext("to do")
        parts = [task.title, state]
        if task.due_on:
            parts.append(gettext("due %(date)s") % {"date": task.due_on.strftime("%d/%m/%Y")})
        if task.assignee_id:
            parts.append(gettext("for %(person)s") % {"person": task.assignee})
        entries.append(Entry(task.created_at, TASK, gettext("Task"), " — ".join(parts),
                             session_id=task.session_id))
    return entries


def downloads(contact: Contact) -> list[Entry]:
    """The photos downloaded from the contact's deliveries, one entry per session and day."""
    rows = (DownloadLog.objects
            .filter(delivery__session__in=PhotoSession.objects.filter(_sessions_of(contact)))
            .annotate(day=TruncDate("created_at"))
            .values("delivery__session_id", "delivery__session__title", "day")
            .annotate(count=Count("pk"), last=Max("created_at"))
            .order_by("-last")[:PER_SOURCE])
    return [Entry(row["last"], DOWNLOAD, gettext("Photos downloaded"),
                  gettext("%(session)s — %(count)d download(s)")
                  % {"session": row["delivery__session__title"], "count": row["count"]},
                  session_id=row["delivery__session_id"])
            for row in rows]


def _day(at: datetime | None) -> str:
    return timezone.localtime(at).strftime("%d/%m/%Y") if at is not None else "—"


def consents(contact: Contact) -> list[Entry]:
    """What the person agreed to and withdrew, purpose by purpose, from any address they had:
    the moment they said it, where, and who of the studio recorded it when they said it
    outside the site."""
    entries = []
    for row in consents_of(contact)[:PER_SOURCE]:
        purpose = row.get_purpose_display()
        parts = [row.get_source_display()]
        if row.recorded_by_id:
            parts.append(gettext("recorded by %(person)s on %(date)s") % {
                "person": row.recorded_by,
                "date": _day(row.recorded_at)})
        if row.email != contact.email:
            parts.append(row.email)
        parts.append(f"« {row.consent_text} »")
        detail = " — ".join(parts)
        if row.confirmed_at is not None:
            entries.append(Entry(row.confirmed_at, CONSENT, gettext("Consent given: %(purpose)s")
                                 % {"purpose": purpose}, detail))
        elif row.status == MarketingConsent.Status.PENDING:
            entries.append(Entry(row.requested_at, CONSENT,
                                 gettext("Consent asked, not confirmed yet: %(purpose)s")
                                 % {"purpose": purpose}, detail))
        if row.withdrawn_at is not None:
            # A row withdrawn as it was written is the person's "no" (its text is theirs);
            # a consent withdrawn later keeps the text they had agreed to.
            said_no = row.confirmed_at is None
            entries.append(Entry(row.withdrawn_at, CONSENT,
                                 gettext("Consent withdrawn: %(purpose)s")
                                 % {"purpose": purpose},
                                 detail if said_no else
                                 gettext("given on %(date)s")
                                 % {"date": _day(row.confirmed_at)}))
    return entries


for _source in (domain_events, emails, leads, notes, tasks, downloads, consents):
    register(_source)
