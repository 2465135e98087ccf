"""What the studio sees of the engine: its work on one session (the messages planned and sent,
the open tasks, the session's history in the studio's words), which rules ship with the studio,
and an email template checked and previewed as its recipient would read it."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.template import Engine, TemplateSyntaxError, engines
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from booker.automation import context
from booker.automation.models import EmailTemplate, Message, Rule, StaffTask
from booker.automation.sender import Rendered, render
from booker.events import Event, Happened
from booker.models import PhotoSession, SessionEvent, User
from booker.proofing.selectors import pick_count
from booker.sessions.selectors import back_office_sessions

log = logging.getLogger(__name__)


@dataclass
class HistoryLine:
    at: Any
    label: str
    actor: User | None
    detail: str


def session_messages(session: PhotoSession) -> list[Message]:
    return list(Message.objects.filter(session=session).select_related("rule", "event")
                .order_by("-created_at", "-pk")[:200])


def open_tasks(session: PhotoSession) -> list[StaffTask]:
    return list(StaffTask.objects.filter(session=session, done_at__isnull=True)
                .select_related("assignee").order_by("due_at"))


def _photo_names(p: dict[str, Any]) -> str:
    """The photos a curation event names, "a.jpg, b.jpg and 3 more" past the names it keeps."""
    names = [str(n) for n in p.get("names") or []]
    more = int(p.get("count") or len(names)) - len(names)
    text = ", ".join(names)
    if more > 0:
        text = gettext("%(names)s and %(more)d more") % {"names": text, "more": more}
    return text


def _curation_detail(row: SessionEvent) -> str:
    p = row.payload or {}
    if row.name in (Event.PROOFS_HIDDEN, Event.PROOFS_SHOWN):
        return _photo_names(p)
    if row.name == Event.PROOFS_SET:
        if not p.get("set"):
            return gettext("out of their set: %(photos)s") % {"photos": _photo_names(p)}
        return gettext("“%(set)s”: %(photos)s") % {"set": p["set"], "photos": _photo_names(p)}
    if row.name == Event.PROOF_MOVED:
        if p.get("position"):
            return gettext("%(photo)s, now photo %(position)d of its set") % {
                "photo": p.get("name", ""), "position": p["position"]}
        if p.get("set_moved"):
            text = (gettext("%(photo)s: its set moved one place earlier") if p.get("delta", 0) < 0
                    else gettext("%(photo)s: its set moved one place later"))
        else:
            text = (gettext("%(photo)s, one place earlier") if p.get("delta", 0) < 0
                    else gettext("%(photo)s, one place later"))
        return text % {"photo": p.get("name", "")}
    if row.name == Event.COVER_CHOSEN:
        return str(p.get("name") or gettext("no cover photo"))
    return ""


CURATION_EVENTS = frozenset({Event.PROOFS_HIDDEN, Event.PROOFS_SHOWN, Event.PROOFS_SET,
                             Event.PROOF_MOVED, Event.COVER_CHOSEN})


def _detail(row: SessionEvent) -> str:
    p = row.payload or {}
    if row.name in CURATION_EVENTS:
        return _curation_detail(row)
    if p.get("reason"):
        return str(p["reason"])
    if p.get("expires_at") and row.name == Event.DELIVERY_EXTENDED:
        when = timezone.localtime(timezone.datetime.fromisoformat(p["expires_at"]))
        return gettext("until %(date)s") % {"date": date_format(when, "j F Y")}
    if p.get("scheduled_at") and row.name == Event.SESSION_RESCHEDULED:
        return context.when(timezone.datetime.fromisoformat(p["scheduled_at"]))
    if p.get("note"):
        return str(p["note"])
    return ""


def session_history(session: PhotoSession) -> list[HistoryLine]:
    """The session's events, newest first, in the studio's words."""
    rows = (SessionEvent.objects.filter(session=session).select_related("actor")
            .order_by("-created_at", "-pk")[:300])
    return [HistoryLine(row.created_at, context.event_label(row.name), row.actor, _detail(row))
            for row in rows]


# --- Rules ----------------------------------------------------------------------------------------


def is_default_rule(rule: Rule) -> bool:
    """A rule that ships with the studio (it has a key): never deleted, it would come back at
    the next update (defaults.ensure_defaults); it is switched off instead."""
    return bool(rule.key)


def deletable_rules(rules: QuerySet[Rule]) -> QuerySet[Rule]:
    """The studio's own rules among `rules`, the defaults left out."""
    return rules.filter(Q(key__isnull=True) | Q(key=""))


# --- Email templates: checking, previewing --------------------------------------------------------

def _checking_engine() -> Engine:
    # The site's engine, in debug mode: a syntax error then knows its line.
    base = engines["django"].engine
    extra = [b for b in base.builtins if b not in Engine.default_builtins]
    return Engine(debug=True, libraries=base.libraries, builtins=extra,
                  autoescape=base.autoescape)


def _closing(expected: str) -> str:
    # Django lists what may come next ("elif, else, endif"): the closing tag is the one asked.
    names = [name.strip() for name in expected.split(",")]
    return next((name for name in names if name.startswith("end")), names[0])


_ERRORS = [
    (re.compile(r"Unclosed tag on line \d+: '([^']+)'. Looking for one of: ([^.]+)\."),
     lambda m: gettext("the tag “{%% %(tag)s %%}” is never closed (“{%% %(end)s %%}” is "
                       "missing)") % {"tag": m[1], "end": _closing(m[2])}),
    (re.compile(r"Invalid block tag on line \d+: '([^']+)'(?:, expected '([^']+)')?"),
     lambda m: (gettext("unknown or misplaced tag “{%% %(tag)s %%}”, “{%% %(expected)s %%}” "
                        "was expected") % {"tag": m[1], "expected": m[2]} if m[2] else
                gettext("unknown or misplaced tag “{%% %(tag)s %%}”") % {"tag": m[1]})),
    (re.compile(r"Invalid filter: '([^']+)'"),
     lambda m: gettext("unknown filter “%(name)s”") % {"name": m[1]}),
    (re.compile(r"Could not parse the remainder: '([^']*)' from '([^']*)'"),
     lambda m: gettext("“%(text)s” cannot be read (in “%(where)s”)")
     % {"text": m[1].strip(), "where": m[2]}),
    (re.compile(r"Empty variable tag"), lambda m: gettext("an empty “{{ }}”")),
]


def explain(exc: Exception, line: int | None = None) -> str:
    """A template error in the studio's words (Django's own messages are in English)."""
    text = str(exc)
    for pattern, say in _ERRORS:
        match = pattern.search(text)
        if match:
            detail = say(match)
            break
    else:
        detail = gettext("the syntax is not valid (%(detail)s)") % {"detail": text}
    if line:
        return gettext("Error on line %(line)d: %(detail)s.") % {"line": line, "detail": detail}
    return gettext("Error: %(detail)s.") % {"detail": detail}


def syntax_error(source: str) -> str:
    """The French description of `source`'s syntax error, or "" when it compiles."""
    try:
        _checking_engine().from_string(source)
    except TemplateSyntaxError as exc:
        info = getattr(exc, "template_debug", None) or {}
        return explain(exc, info.get("line"))
    return ""


def unknown_variables(*sources: str) -> list[str]:
    """Names used in {{ … }} that are not variables of the engine (they render empty)."""
    known = set(context.all_variables()) | {"unsubscribe_url", "forloop", "True", "False",
                                            "None"}
    found: list[str] = []
    for source in sources:
        # Names a template makes itself: loop variables, {% with %} aliases.
        for names in re.findall(r"{%\s*for\s+([\w\s,]+?)\s+in\s", source or ""):
            known |= {n.strip() for n in names.split(",")}
        for assignments in re.findall(r"{%\s*with\s+(.*?)%}", source or ""):
            known |= set(re.findall(r"(\w+)=", assignments))
    for source in sources:
        for name in re.findall(r"{{\s*([A-Za-z_][A-Za-z0-9_]*)", source or ""):
            if name not in known and name not in found:
                found.append(name)
        for name in re.findall(r"{%\s*(?:if|elif|for\s+\w+\s+in)\s+(?:not\s+)?"
                               r"([A-Za-z_][A-Za-z0-9_]*)", source or ""):
            if name not in known and name not in found:
                found.append(name)
    return found


# Events that concern no session (an order, an invitation): previewed with sample values.
SUBJECT_EVENTS = frozenset({
    Event.CLIENT_INVITED, Event.ORDER_PLACED, Event.ORDER_PAID, Event.ORDER_SHIPPED,
    Event.INVOICE_DUE, Event.INVOICE_OVERDUE, Event.BASKET_ABANDONED,
})


@dataclass
class Preview:
    event: str
    event_label: str
    session: PhotoSession | None
    sessions: list[PhotoSession]
    rendered: Rendered | None
    error: str
    sample: bool
    unknown: list[str]


def _sample_payload(session: PhotoSession | None) -> dict[str, Any]:
    now = timezone.now()
    delivery = getattr(session, "delivery", None) if session is not None else None
    expires = getattr(delivery, "expires_at", None) or now + timedelta(days=7)
    previous = (session.scheduled_at if session is not None and session.scheduled_at
                else now) - timedelta(days=2)
    picked = pick_count(session) if session is not None else 0
    return {
        "expires_at": expires.isoformat(), "previous": previous.isoformat(),
        "reason": gettext("(the reason given)"), "note": gettext("(the note left)"),
        "jobs": [1, 2, 3], "picked": picked,
        "proofs": session.rushes.count() if session is not None else 0,
    }


def _sample_values() -> dict[str, Any]:
    """Plausible values for every variable, for events without a session (an order…)."""
    values: dict[str, Any] = {name: f"[{name}]" for name in context.all_variables()}
    values.update({
        "is_company": False, "company_name": "", "recipient_name": "Claire",
        "client_name": "Claire Martin", "greeting": gettext("Hello %(name)s,") % {"name":
                                                                                  "Claire"},
        "amount": context.euros("79.20"), "quota": 20, "picked": 22, "extras": 2,
        "proofs_count": 120, "job_count": 3,
    })
    return values


def template_event(template: EmailTemplate) -> str:
    rule = template.rules.order_by("pk").first() if template.pk else None
    return rule.event if rule is not None else Event.SESSION_CONFIRMED.value


def preview(template: EmailTemplate, user: User, session_id: str | int | None = None
            ) -> Preview:
    """`template` rendered for its first rule's event, against a real session `user` sees in
    the back office (the one asked, or the most recent), or with sample values for an event
    that has no session."""
    event = template_event(template)
    visible = back_office_sessions(user).select_related("photographer")
    sessions = list(visible.order_by("-created_at", "-pk")[:50])
    session = None
    sample = event in SUBJECT_EVENTS
    if not sample:
        if session_id not in (None, "") and str(session_id).isdigit():
            session = visible.filter(pk=session_id).first()
        if session is None and sessions:
            session = sessions[0]
        sample = session is None
    error = " ".join(e for e in (syntax_error(template.subject), syntax_error(template.body_html),
                                 syntax_error(template.body_text)) if e)
    rendered = None
    if not error:
        try:
            rendered = _render_for(template, event, session)
        except Exception as exc:  # a filter failing on a value, a link that cannot be made
            log.warning("preview of the email template %s failed", template.pk, exc_info=True)
            error = gettext("This email cannot be rendered: %(detail)s") % {"detail": exc}
    return Preview(event, context.event_label(event), session, sessions, rendered, error,
                   sample, unknown_variables(template.subject, template.body_html,
                                             template.body_text))


def _render_for(template: EmailTemplate, event: str, session: PhotoSession | None
                ) -> Rendered:
    """The email as the client would get it (the first client of a company's session)."""
    happened = Happened(Event(event), session.pk if session else None, None,
                        _sample_payload(session), 0)
    if session is not None:
        found = context.recipients(Rule.Recipient.CLIENT, happened, session, None)
        recipient = found[0] if found else context.Recipient("client@example.com", "Claire")
        variables = context.build(happened, recipient, session, None)
    else:
        variables = {**_sample_values(), **context.build(
            happened, context.Recipient("client@example.com", "Claire"), None, None)}
        variables.update(greeting=gettext("Hello %(name)s,") % {"name": "Claire"},
                         recipient_name="Claire")
    if template.kind != EmailTemplate.Kind.TRANSACTIONAL:
        variables["unsubscribe_url"] = "#"
    return render(template, variables)


