"""From events to messages: each event heard (after its commit) is matched against the active
rules; each matching rule plans one `Message` per recipient, due at once or after its delay.

Planning is idempotent: a message's key is event × rule × recipient and unique in the table, so
an event heard twice (a retried task, two processes) plans nothing more."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from booker.automation import context
from booker.automation.models import EmailTemplate, Message, Rule
from booker.booking.selectors import balance_due_for
from booker.events import Happened
from booker.models import PhotoSession, normalise_email

log = logging.getLogger(__name__)


def message_key(event_id: int, rule_id: int, recipient: str) -> str:
    return f"{event_id}:{rule_id}:{recipient.lower()}"


def _audience_ok(rule: Rule, session: PhotoSession | None, subject: context.Subject | None
                 ) -> bool:
    if rule.audience == Rule.Audience.ANY:
        return True
    is_company = bool(session.company_id) if session is not None else bool(
        subject and subject.company_name)
    return is_company == (rule.audience == Rule.Audience.B2B)


def _amount(happened: Happened, subject: context.Subject | None):
    from decimal import Decimal

    if subject is not None and subject.amount is not None:
        return subject.amount
    p = happened.payload
    if p.get("total") not in (None, ""):
        return Decimal(str(p["total"]))
    if p.get("unit_price") and isinstance(p.get("extras"), list):
        return Decimal(str(p["unit_price"])) * len(p["extras"])
    return None


def conditions_hold(rule: Rule, happened: Happened, session: PhotoSession | None,
                    subject: context.Subject | None) -> bool:
    if not _audience_ok(rule, session, subject):
        return False
    if rule.package_id and (session is None or session.package_id != rule.package_id):
        return False
    if rule.min_amount is not None:
        amount = _amount(happened, subject)
        if amount is None or amount < rule.min_amount:
            return False
    return True


def due_time(rule: Rule, happened_at: datetime, session: PhotoSession | None,
             payload: dict) -> datetime | None:
    """When the rule's action is due; None when its anchor does not exist (a reminder before a
    session that has no date)."""
    if rule.anchor == Rule.Anchor.BEFORE_SESSION:
        if session is None or session.scheduled_at is None:
            return None
        return session.scheduled_at - rule.delay
    if rule.anchor == Rule.Anchor.BEFORE_DELIVERY_EXPIRES:
        delivery = getattr(session, "delivery", None) if session is not None else None
        expires = getattr(delivery, "expires_at", None)
        if expires is None:
            return None
        return expires - rule.delay
    if rule.anchor == Rule.Anchor.BEFORE_BALANCE_DUE:
        if not payload.get("balance_due_on"):
            return None
        # Due at the start of the studio's day.
        day = date.fromisoformat(payload["balance_due_on"])
        due = datetime.combine(day, time(9), tzinfo=timezone.get_default_timezone()) - rule.delay
        # Booked too close to the date for a reminder: the confirmation already says when.
        return due if due > happened_at else None
    return happened_at + rule.delay


def _targets(rule: Rule, happened: Happened, session, subject
             ) -> list[tuple[context.Recipient, str]]:
    """Each person the rule reaches, once, with the role they were first found under."""
    found: dict[str, tuple[context.Recipient, str]] = {}
    for role in rule.recipients or []:
        for r in context.recipients(role, happened, session, subject):
            found.setdefault(r.email.lower(), (r, role))
    if rule.segment_id is not None:
        members = segment_emails(rule.segment)
        found = {email: target for email, target in found.items()
                 if normalise_email(email) in members}
    return list(found.values())


def segment_emails(segment) -> frozenset[str]:
    """Who is in `segment` now, by normalised email (its conditions read today's data)."""
    from booker.marketing.selectors import recipients

    return frozenset(r.email for r in recipients(segment))


@transaction.atomic
def plan(happened: Happened) -> list[Message]:
    """The messages `happened` calls for, written once (see the module's docstring), and the
    event marked planned in the same transaction."""
    from booker.models import SessionEvent

    SessionEvent.objects.filter(pk=happened.record_id, planned_at__isnull=True).update(
        planned_at=timezone.now())
    rules = list(Rule.objects.filter(is_active=True, event=happened.event.value)
                 .select_related("template", "segment"))
    if not rules:
        return []
    session = (PhotoSession.objects.select_related("client", "company", "photographer",
                                                   "package")
               .filter(pk=happened.session_id).first() if happened.session_id else None)
    subject = context.describe_subject(happened)
    happened_at = SessionEvent.objects.values_list("created_at", flat=True).get(
        pk=happened.record_id)
    # An event about something else that names a session (an invitation to it) is listed
    # with that session's messages too.
    listed_under = session
    if listed_under is None and happened.payload.get("session_id"):
        listed_under = PhotoSession.objects.filter(pk=happened.payload["session_id"]).first()
    planned: list[Message] = []
    for rule in rules:
        if not conditions_hold(rule, happened, session, subject):
            continue
        due = due_time(rule, happened_at, session, happened.payload)
        if due is None:
            continue
        for recipient, role in _targets(rule, happened, session, subject):
            planned.append(Message(
                key=message_key(happened.record_id, rule.pk, recipient.email),
                rule=rule, event_id=happened.record_id, action=rule.action,
                session=listed_under, user_id=recipient.user_id, recipient=recipient.email,
                recipient_role=role,
                template_key=rule.template.key if rule.template_id else "",
                due_at=max(due, timezone.now()) if rule.anchor != Rule.Anchor.EVENT else due,
            ))
    if planned:
        # The unique key makes a second planning of the same event a no-op.
        Message.objects.bulk_create(planned, ignore_conflicts=True)
        from booker.automation.sender import kick

        transaction.on_commit(kick)
    return planned


# An event is planned right after its commit; one older than this and still unplanned lost
# its planning (the process died, the planner failed) and is planned by the sweeper. Older
# than MISSED_UP_TO, it is history: its reminders would come too late to mean anything.
MISSED_AFTER = timedelta(minutes=2)
MISSED_UP_TO = timedelta(days=7)


def plan_missed_events(now: datetime | None = None, limit: int = 500) -> int:
    """Every few minutes (booker.schedules.PLAN_MISSED_EVENTS): plan the events that were
    committed but never planned. Planning twice plans nothing more, so a race with the
    event's own planning is harmless. Returns how many were planned."""
    from booker.models import SessionEvent

    now = now or timezone.now()
    rows = list(SessionEvent.objects.filter(
        planned_at__isnull=True, created_at__lte=now - MISSED_AFTER,
        created_at__gte=now - MISSED_UP_TO).order_by("created_at", "pk")[:limit])
    done = 0
    for row in rows:
        try:
            plan(Happened.of(row))
        except Exception:
            log.exception("planning missed event %s (%s) failed", row.pk, row.name)
            continue
        done += 1
    return done


def on_event(happened: Happened) -> None:
    try:
        plan(happened)
    except Exception:
        log.exception("planning the messages of %s (event %s) failed", happened.event,
                      happened.record_id)
        raise


def retime_session_reminders(session: PhotoSession) -> int:
    """A session moved: its reminders before the session, and before the balance of its
    online booking is due, are due at their new time."""
    moved = 0
    pending = Message.objects.filter(
        session=session, status=Message.Status.PENDING,
        rule__anchor__in=(Rule.Anchor.BEFORE_SESSION, Rule.Anchor.BEFORE_BALANCE_DUE),
    ).select_related("rule")
    balance_due = None
    for message in pending:
        if session.scheduled_at is None:
            continue
        if message.rule.anchor == Rule.Anchor.BEFORE_BALANCE_DUE:
            balance_due = balance_due or balance_due_for(session)
            if balance_due is None:
                continue
            anchor = datetime.combine(balance_due, time(9),
                                      tzinfo=timezone.get_default_timezone())
        else:
            anchor = session.scheduled_at
        due = max(anchor - message.rule.delay, timezone.now())
        moved += Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            due_at=due)
    return moved


def on_rescheduled(happened: Happened) -> None:
    session = PhotoSession.objects.filter(pk=happened.session_id).first()
    if session is not None:
        retime_session_reminders(session)


__all__ = ["EmailTemplate", "plan", "message_key", "retime_session_reminders"]
