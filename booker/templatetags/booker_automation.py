"""The session's history where Django's admin shows its own (object_history.html): the admin
only logs its own edits ("Added."), the session's life is in its events."""

from __future__ import annotations

from django import template

from booker.automation.selectors import HistoryLine
from booker.automation.selectors import session_history as _session_history
from booker.models import PhotoSession

register = template.Library()


@register.simple_tag
def session_history(session: PhotoSession) -> list[HistoryLine]:
    return _session_history(session)
