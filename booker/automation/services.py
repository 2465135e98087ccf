"""The automation engine's writes, for the rest of the project (through booker.services)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from booker.automation.context import Subject, declare_variables, register_subject
from booker.automation.defaults import ensure_defaults
from booker.automation.models import Message, Rule, StaffTask
from booker.automation.selectors import deletable_rules
from booker.automation.sender import retry, send_due
from booker.events import emit

# An app outside the Booker (the shop) tells of its events with `emit_event(Event.ORDER_PAID,
# subject="order:12", user=…, number=…, total=…)` and describes its subjects with
# `register_subject("order", provider)`.
emit_event = emit


def send_due_messages(limit: int = 200) -> dict[str, int]:
    return send_due(limit)


def retry_message(message: Message) -> bool:
    return retry(message)


def delete_rules(rules: QuerySet[Rule]) -> int:
    """Delete the studio's own rules among `rules`; the defaults stay (they would come back at
    the next update: switch them off instead). Returns how many defaults were kept."""
    deletable = deletable_rules(rules)
    kept = rules.count() - deletable.count()
    deletable.delete()
    return kept


def switch_rules(rules: QuerySet[Rule], *, on: bool) -> int:
    """Switch `rules` on or off; returns how many."""
    return rules.update(is_active=on)


def mark_tasks_done(tasks: QuerySet[StaffTask], now: datetime | None = None) -> int:
    """Tick off the open tasks among `tasks` (those done keep their date); returns how many."""
    return tasks.filter(done_at__isnull=True).update(done_at=now or timezone.now())


def reopen_tasks(tasks: QuerySet[StaffTask]) -> int:
    """The done tasks among `tasks` to do again; returns how many."""
    return tasks.filter(done_at__isnull=False).update(done_at=None)


__all__ = ["Subject", "declare_variables", "delete_rules", "emit_event", "ensure_defaults",
           "mark_tasks_done", "register_subject", "reopen_tasks", "retry_message",
           "send_due_messages", "switch_rules"]
