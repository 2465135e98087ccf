"""Sending what is due, once: a sender claims a message (compare-and-set pending → sending with a
lease), renders and sends it, and marks it sent. Two workers, a retried task or a schedule
running beside an immediate kick never send a message twice: only the claim's winner sends.
A failure is retried with a growing delay, then given up and shown to staff."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from booker.automation import context
from booker.automation.machine import MESSAGE
from booker.automation.models import EmailTemplate, Message, Rule, StaffTask
from booker.automation.unsubscribe import unsubscribe_url
from booker.booking.selectors import signed_contract
from booker.branding import studio_details
from booker.calendars.services import attachment_for
from booker.events import Event, Happened
from booker.mail import returned_to_bounce_address
from booker.models import MarketingConsent, PhotoSession, SessionEvent, User

log = logging.getLogger(__name__)
S = Message.Status

# Seconds a claim holds a message: longer than one SMTP exchange, short enough that a message
# whose sender was killed goes out again within minutes.
LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
# Who gets the session's .ics with its confirmation: the people it is booked for.
CALENDAR_ROLES = frozenset({Rule.Recipient.CLIENT, Rule.Recipient.COMPANY_MANAGERS})


def backoff(attempts: int) -> timedelta:
    """1, 2, 4… minutes after each failure, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def render(template: EmailTemplate, variables: dict) -> Rendered:
    """The template's subject and bodies over `variables`, inside the studio's email layout."""
    engine = engines["django"]

    def plain(source: str) -> str:
        # Text parts are not HTML: an apostrophe in a name stays an apostrophe.
        return engine.from_string("{% autoescape off %}" + source + "{% endautoescape %}"
                                  ).render(variables)

    subject = " ".join(plain(template.subject).split())
    html_body = engine.from_string(template.body_html).render(variables)
    text_body = plain(template.body_text)
    layout = {**variables, "subject": subject, "studio": studio_details(),
              "unsubscribe_url": variables.get("unsubscribe_url", "")}
    html = render_to_string("automation/email/layout.html", {**layout, "body": html_body})
    text = render_to_string("automation/email/layout.txt", {**layout, "body": text_body})
    return Rendered(subject, text, html)


def _due() -> Q:
    now = timezone.now()
    return (Q(status__in=[S.PENDING, S.FAILED], due_at__lte=now)
            | Q(status=S.SENDING, claimed_until__lt=now))


def claim(message_id: int) -> Message | None:
    """Take the message for this sender, or None if another one has it or it is not due."""
    now = timezone.now()
    rows = Message.objects.filter(_due(), pk=message_id)
    for source in (S.PENDING, S.FAILED, S.SENDING):
        if MESSAGE.move_rows(rows, source, S.SENDING, claimed_until=now + LEASE,
                             attempts=F("attempts") + 1):
            return Message.objects.select_related("rule", "rule__template", "event").get(
                pk=message_id)
    return None


def _finish(message: Message, target: str, **fields) -> None:
    # The claim's holder alone finishes it: a sender whose lease ran out and was overtaken
    # changes nothing.
    MESSAGE.move_rows(Message.objects.filter(pk=message.pk, attempts=message.attempts),
                      S.SENDING, target, claimed_until=None, **fields)


def _skip_reason(message: Message, happened: Happened, session: PhotoSession | None,
                 subject: context.Subject | None) -> str:
    rule = message.rule
    if rule is None or not rule.is_active:
        return gettext("rule switched off")
    if session is not None and session.status == PhotoSession.Status.CANCELLED and \
            happened.event != Event.SESSION_CANCELLED:
        return gettext("session cancelled")
    if rule.unless:
        later = SessionEvent.objects.filter(name__in=rule.unless,
                                            created_at__gte=message.event.created_at)
        later = (later.filter(session_id=happened.session_id) if happened.session_id
                 else later.filter(subject=happened.subject))
        seen = later.values_list("name", flat=True).first()
        if seen:
            return gettext("meanwhile: %(event)s") % {"event": context.event_label(seen)}
    if subject is not None and not subject.still_relevant:
        return gettext("no longer relevant")
    if session is not None and session.scheduled_at is not None and \
            session.scheduled_at < timezone.now() and (
                rule.anchor == Rule.Anchor.BEFORE_SESSION
                or happened.event in (Event.SESSION_CONFIRMED, Event.SESSION_RESCHEDULED)):
        # A session entered after the fact (a shoot already done) is not announced.
        return gettext("the session has started")
    template = rule.template
    if rule.action == Rule.Action.EMAIL and template is not None:
        user = User.objects.filter(pk=message.user_id).first() if message.user_id else None
        if template.kind == EmailTemplate.Kind.REMINDER and user is not None and \
                not user.reminder_emails:
            return gettext("the client turned reminders off")
        if template.kind == EmailTemplate.Kind.MARKETING and not _consented(message.recipient):
            return gettext("no marketing consent")
    return ""


def _consented(email: str) -> bool:
    # The one reading of a person's marketing consent (the CRM's).
    from booker.crm.selectors import newsletter_status

    return newsletter_status(email) == MarketingConsent.Status.CONFIRMED


def _email(message: Message, happened: Happened, session, subject) -> None:
    template = message.rule.template
    recipient = context.Recipient(message.recipient, "", message.user_id)
    if message.user_id:
        user = User.objects.filter(pk=message.user_id).first()
        if user is not None:
            recipient = context.Recipient(message.recipient, user.first_name or
                                          user.get_full_name(), user.pk)
    variables = context.build(happened, recipient, session, subject)
    headers = {
        # The same message id on a resend: a mailbox that got the first copy shows one.
        "Message-ID": f"<{message.key.replace(':', '.')}.{message.pk}@booke>",
        "X-Booke-Event": happened.event.value,
        "X-Booke-Rule": message.rule.key or str(message.rule.pk),
    }
    if template.kind != EmailTemplate.Kind.TRANSACTIONAL:
        kind = "marketing" if template.kind == EmailTemplate.Kind.MARKETING else "reminder"
        link = unsubscribe_url(message.recipient, kind)
        variables["unsubscribe_url"] = link
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # A confirmation of a session booked online carries the contract the client signed.
    contract = (signed_contract(session, message.user_id)
                if session is not None and message.recipient_role in CALENDAR_ROLES
                and happened.event == Event.SESSION_CONFIRMED else None)
    variables["contract_attached"] = contract is not None
    rendered = render(template, variables)
    reply_to = [e for e in [studio_details().get("email")] if e]
    email = EmailMultiAlternatives(rendered.subject, rendered.text, to=[message.recipient],
                                   headers=headers, reply_to=reply_to)
    email.attach_alternative(rendered.html, "text/html")
    # A confirmation, a move or a cancellation carries the session as a calendar event (same
    # UID, increasing SEQUENCE), for the client's own calendar.
    if session is not None and message.recipient_role in CALENDAR_ROLES:
        invite = attachment_for(session, happened.event.value)
        if invite is not None:
            email.attach(*invite)
    if contract is not None:
        email.attach(*contract)
    returned_to_bounce_address(email, f"msg-{message.pk}").send()
    Message.objects.filter(pk=message.pk).update(subject=rendered.subject[:300])


def _task(message: Message, happened: Happened, session) -> None:
    rule = message.rule
    title = rule.task_title or rule.name
    if session is not None:
        title = f"{title} — {session.title}"
    StaffTask.objects.get_or_create(
        message=message,
        defaults={"title": title[:200], "session": session, "assignee_id": message.user_id,
                  "due_at": timezone.now()},
    )


RETIRED_WEBHOOK = gettext_noop("the rules' webhook action was retired: events go out through "
                                "the signed webhook endpoints")


# What says the mail server itself is away (refused, reset, silent past EMAIL_TIMEOUT, gone
# mid-dialogue), not that this one message is wrong: every other email would wait as long.
SERVER_AWAY = (ConnectionError, TimeoutError, smtplib.SMTPConnectError,
               smtplib.SMTPServerDisconnected)


class MailServerAway(Exception):
    """Raised by `deliver` for an email whose failure was the server's, after the message was
    put back to wait its turn (status failed, its backoff)."""


def deliver(message_id: int) -> str:
    """Claim, act and finish one message. Returns its new status (or "" if not claimed)."""
    try:
        return _deliver(message_id)
    except MailServerAway:
        return S.FAILED


def _deliver(message_id: int) -> str:
    message = claim(message_id)
    if message is None:
        return ""
    event = message.event
    if event is None or message.rule is None:
        _finish(message, S.SKIPPED, last_error=gettext("event or rule deleted"))
        return S.SKIPPED
    happened = Happened.of(event)
    session = (PhotoSession.objects.select_related("client", "company", "photographer",
                                                   "package").filter(pk=event.session_id).first()
               if event.session_id else None)
    try:
        subject = context.describe_subject(happened)
        reason = _skip_reason(message, happened, session, subject)
        if reason:
            _finish(message, S.SKIPPED, last_error=reason)
            return S.SKIPPED
        if message.action == Rule.Action.EMAIL:
            _email(message, happened, session, subject)
        elif message.action == Rule.Action.TASK:
            _task(message, happened, session)
        else:  # an old rule's webhook call, left waiting when the rules lost that action
            _finish(message, S.SKIPPED, last_error=gettext(RETIRED_WEBHOOK))
            return S.SKIPPED
    except Exception as exc:  # any failure: the message waits and is retried
        log.warning("message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
        if message.attempts >= MAX_ATTEMPTS:
            _finish(message, S.DEAD, last_error=str(exc)[:2000])
            return S.DEAD
        _finish(message, S.FAILED, last_error=str(exc)[:2000] or type(exc).__name__,
                due_at=timezone.now() + backoff(message.attempts))
        if message.action == Rule.Action.EMAIL and isinstance(exc, SERVER_AWAY):
            raise MailServerAway(str(exc)) from exc
        return S.FAILED
    _finish(message, S.SENT, sent_at=timezone.now(), last_error="")
    return S.SENT


def send_due(limit: int = 200) -> dict[str, int]:
    """Every message due now, oldest first, each claimed before it is sent. When the mail
    server is away the run stops at the first email that found it so: the others stay due,
    untouched (no attempt spent), for the next run, instead of each waiting out the timeout
    in turn and holding the worker for minutes."""
    ids = list(Message.objects.filter(_due()).order_by("due_at", "pk")
               .values_list("pk", flat=True)[:limit])
    counts: dict[str, int] = {}
    for pk in ids:
        try:
            status = _deliver(pk)
        except MailServerAway:
            counts[S.FAILED] = counts.get(S.FAILED, 0) + 1
            counts["server away"] = 1
            break
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts


def kick() -> None:
    """Ask the worker to send what is due now (the minute schedule would, a little later)."""
    from django_q.tasks import async_task

    try:
        async_task("booker.tasks.send_due_messages", task_name="send due messages")
    except Exception:  # the schedule sends them anyway
        log.exception("could not queue the sending of due messages")


@transaction.atomic
def retry(message: Message) -> bool:
    """Staff send a given-up message again."""
    return bool(MESSAGE.move_rows(Message.objects.filter(pk=message.pk), S.DEAD, S.PENDING,
                                  due_at=timezone.now(), attempts=0))



@transaction.atomic
def record_bounce(message_id: int, detail: str = "") -> bool:
    """A bounce reported after the email left (a delivery status notification, read by
    booker.bounces): the sent message becomes bounced, with the recipient server's diagnostic
    as its last error. Returns whether the message is an email we sent (bounced now or
    before)."""
    message = (Message.objects.select_for_update()
               .filter(pk=message_id, action=Rule.Action.EMAIL).first())
    if message is None or message.status not in (S.SENT, S.BOUNCED):
        return False
    if message.status == S.SENT:
        MESSAGE.move_rows(Message.objects.filter(pk=message.pk), S.SENT, S.BOUNCED,
                          bounced_at=timezone.now(), last_error=detail[:2000])
    return True
