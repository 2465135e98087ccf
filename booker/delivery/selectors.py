from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from booker.models import (
    Delivery,
    FinalPhoto,
    PhotoSession,
    RetouchJob,
    User,
)
from booker.sessions.access import SessionFiles, may_see_session_files, works_on_session

Status = PhotoSession.Status


def delivered_finals(session: PhotoSession) -> QuerySet:
    return (
        FinalPhoto.objects.filter(job__session=session, job__status=RetouchJob.Status.DONE)
        .select_related("job__rush")
        .order_by("original_filename")
    )


def delivery_for(user: User, session_pk: int) -> tuple[PhotoSession, Delivery | None]:
    """The session and its delivery (None if not delivered yet) for a download of every
    final: the studio working on the session, or a client of a delivered session."""
    session = PhotoSession.objects.filter(pk=session_pk).select_related("delivery").first()
    if session is None or not may_see_session_files(user, session, SessionFiles.FINALS):
        raise Http404("No such session.")
    delivery = getattr(session, "delivery", None)
    if delivery is None and not works_on_session(user, session):
        raise Http404("Nothing delivered yet.")
    return session, delivery


def downloads_open(delivery: Delivery | None, at: datetime | None = None) -> bool:
    """Whether the client may still download (a delivery without a closing date never
    closes: those delivered before the date existed)."""
    if delivery is None or delivery.expires_at is None:
        return True
    return (at or timezone.now()) < delivery.expires_at


def downloads_closed_for(user: User, session: PhotoSession, delivery: Delivery | None) -> bool:
    """Whether `user`'s download of the session's finals is refused because the window has
    closed: the client's is; the studio working on the session still gets its files."""
    return not downloads_open(delivery) and not works_on_session(user, session)
