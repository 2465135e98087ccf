"""What the studio sees of the engine's work on one session: the messages planned and sent,
the open tasks, and the session's history in the studio's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from booker.automation import context
from booker.automation.models import Message, StaffTask
from booker.events import Event
from booker.models import PhotoSession, SessionEvent, User


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


def _detail(row: SessionEvent) -> str:
    p = row.payload or {}
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
