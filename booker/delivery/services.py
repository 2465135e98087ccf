from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booker.errors import StudioError
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


def log_download(
    delivery: Delivery,
    *,
    user: User,
    final: FinalPhoto | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> DownloadLog:
    return DownloadLog.objects.create(
        delivery=delivery, final=final, user=user, ip_address=ip_address,
        user_agent=user_agent[:255],
    )
