"""The automation engine's writes, for the rest of the project (through booker.services)."""

from __future__ import annotations

from booker.automation.context import Subject, declare_variables, register_subject
from booker.automation.defaults import ensure_defaults
from booker.automation.models import Message
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


__all__ = ["Subject", "declare_variables", "emit_event", "ensure_defaults", "register_subject",
           "retry_message", "send_due_messages"]
