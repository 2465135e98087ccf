from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from booker.errors import StudioError
from booker.events import Event, record
from booker.models import (
    Company,
    Package,
    PhotoSession,
    User,
)
from booker.people import services as people
from booker.sessions.machine import transition

Status = PhotoSession.Status


def record_event(session: PhotoSession, event: Event, *, actor: User | None, **payload) -> None:
    """A domain event that is not a status change (a rush failed, a download…)."""
    record(session, event, actor=actor, **payload)


def note_gallery_visit(session: PhotoSession, user: User) -> bool:
    """The client, or a member of the company, opened the session's gallery: an event for the
    studio's timeline, at most one a person, session and day (the cache remembers who came
    today, so a gallery's hundred page loads write once). Staff looking are not visits."""
    if not user.is_authenticated or user.is_staff:
        return False
    day = timezone.localdate().isoformat()
    if not cache.add(f"gallery-visit:{session.pk}:{user.pk}:{day}", True, timeout=26 * 3600):
        return False
    record_event(session, Event.GALLERY_VISITED, actor=user)
    return True


def create_session(
    *,
    title: str,
    client: User | None = None,
    company: Company | None = None,
    package: Package | None = None,
    photographer: User | None = None,
    actor: User | None = None,
    **fields,
) -> PhotoSession:
    if (client is None) == (company is None):
        raise StudioError(_("A session belongs to a client or to a company (one of the two)."))
    terms = {}
    if package is not None:
        terms = {
            "quota": package.photos_included,
            "extra_photo_price": package.extra_photo_price,
            "delivery_formats": package.delivery_formats,
            "delivery_sizes": package.delivery_sizes,
            "client_approves_finals": package.client_approves_finals,
        }
    with transaction.atomic():
        session = PhotoSession.objects.create(
            title=title, client=client, company=company, package=package,
            photographer=photographer, **{**terms, **fields},
        )
        record_event(session, Event.SESSION_BOOKED, actor=actor)
        # A session the studio books is agreed with the client: confirmed at once, with its
        # date when it has one (an online booking confirms after its deposit or approval).
        if session.scheduled_at is not None:
            record_event(session, Event.SESSION_CONFIRMED, actor=actor)
    return session


def create_session_for_new_client(*, email: str, first_name: str = "", last_name: str = "",
                                  phone: str = "", actor: User | None = None,
                                  **fields) -> PhotoSession:
    """Book a session for someone who has no account yet: the account is opened, the session
    booked for it, and the client invited to choose a password, the invitation naming the
    session (all or nothing)."""
    with transaction.atomic():
        client = people.create_client(email, first_name=first_name, last_name=last_name,
                                      phone=phone)
        session = create_session(client=client, actor=actor, **fields)
        people.invite(client, invited_by=actor, session=session)
    return session


def reschedule_session(session: PhotoSession, scheduled_at, *, actor: User | None,
                       location: str | None = None) -> bool:
    """Move a session to another date (and place): the client and the photographer are told,
    its reminders follow. A first date given to an undated session confirms it. Returns
    whether anything changed."""
    with transaction.atomic():
        locked = PhotoSession.objects.select_for_update().get(pk=session.pk)
        previous = locked.scheduled_at
        fields = {"scheduled_at": scheduled_at}
        if location is not None:
            fields["location"] = location
        changed = previous != scheduled_at or (location is not None and
                                              location != locked.location)
        if not changed:
            return False
        PhotoSession.objects.filter(pk=session.pk).update(**fields)
        for name, value in fields.items():
            setattr(session, name, value)
        if previous is None and scheduled_at is not None:
            record_event(session, Event.SESSION_CONFIRMED, actor=actor)
        elif scheduled_at is not None:
            record_event(session, Event.SESSION_RESCHEDULED, actor=actor,
                         previous=previous.isoformat() if previous else None,
                         scheduled_at=scheduled_at.isoformat())
    return True


def cancel_session(session: PhotoSession, *, actor: User | None, reason: str = "",
                   **payload) -> None:
    """Cancel the session (`payload`: what the client's email says besides the reason, such
    as an online booking's refund)."""
    transition(session, Status.CANCELLED, actor=actor, reason=reason, **payload)
