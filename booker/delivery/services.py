from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booker.errors import StudioError
from booker.events import Event, record
from booker.models import (
    Delivery,
    DownloadLog,
    FinalPhoto,
    PhotoSession,
    RetouchJob,
    User,
)
from booker.sessions.machine import transition

Status = PhotoSession.Status


JobStatus = RetouchJob.Status


@transaction.atomic
def deliver(session: PhotoSession, *, actor: User | None, message: str = "") -> Delivery:
    jobs = list(session.retouch_jobs.values_list("status", flat=True))
    if not jobs:
        raise StudioError(_("There is nothing to deliver: no retouch job."))
    waiting = sum(1 for s in jobs if s != JobStatus.DONE)
    if waiting:
        raise StudioError(
            ngettext(
                "%(waiting)d of %(total)d retouches is not approved yet.",
                "%(waiting)d of %(total)d retouches are not approved yet.",
                waiting,
            )
            % {"waiting": waiting, "total": len(jobs)}
        )
    delivery, _created = Delivery.objects.get_or_create(
        session=session, defaults={
            "delivered_by": actor, "message": message,
            "expires_at": timezone.now() + timedelta(days=settings.BOOKER_DOWNLOAD_DAYS),
        },
    )
    transition(session, Status.DELIVERED, actor=actor, photos=len(jobs))
    return delivery


# What "Prolonger" adds when the studio gives no date.
EXTENSION_DAYS = 30


@transaction.atomic
def extend_downloads(session: PhotoSession, *, actor: User | None,
                     until: datetime | None = None) -> Delivery:
    """Push the closing of the downloads back: to `until`, or EXTENSION_DAYS after the later
    of now and the current closing. The `session.delivery_extended` event lets the reminders
    anchored on the closing follow (booker/automation/retiming.py, subscribed in receivers.py):
    this layer does not know the automation engine."""
    delivery = Delivery.objects.select_for_update().filter(session=session).first()
    if delivery is None:
        raise StudioError(_("This session is not delivered: there is no download to extend."))
    now = timezone.now()
    previous = delivery.expires_at
    if until is None:
        until = max(previous or now, now) + timedelta(days=EXTENSION_DAYS)
    if until <= now:
        raise StudioError(_("The new closing date must be in the future."))
    delivery.expires_at = until
    delivery.save(update_fields=["expires_at"])
    record(session, Event.DELIVERY_EXTENDED, actor=actor, expires_at=until.isoformat(),
           previous_expires_at=previous.isoformat() if previous else None)
    return delivery


def log_download(
    delivery: Delivery,
    *,
    user: User,
    final: FinalPhoto | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    size: str = DownloadLog.Size.PRINT,
) -> DownloadLog:
    """`size`: the final as delivered (print, and the ZIP) or the brand library's web copy."""
    return DownloadLog.objects.create(
        delivery=delivery, final=final, user=user, ip_address=ip_address,
        user_agent=user_agent[:255], size=size,
    )
