from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from booker.errors import StudioError
from booker.events import Event, record
from booker.models import (
    Company,
    Package,
    PhotoSession,
    User,
)
from booker.sessions.machine import transition

Status = PhotoSession.Status


def record_event(session: PhotoSession, event: Event, *, actor: User | None, **payload) -> None:
    """A domain event that is not a status change (a rush failed, a download…)."""
    record(session, event, actor=actor, **payload)


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
        }
    with transaction.atomic():
        session = PhotoSession.objects.create(
            title=title, client=client, company=company, package=package,
            photographer=photographer, **{**terms, **fields},
        )
        record_event(session, Event.SESSION_BOOKED, actor=actor)
    return session


def cancel_session(session: PhotoSession, *, actor: User | None, reason: str = "") -> None:
    transition(session, Status.CANCELLED, actor=actor, reason=reason)
