from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booker.delivery import library
from booker.delivery.selectors import delivered_finals, may_share, share_finals_for
from booker.errors import StudioError
from booker.events import Event, Happened, record
from booker.models import (
    Delivery,
    DownloadLog,
    FinalPhoto,
    PhotoSession,
    RetouchJob,
    ShareLink,
    User,
)
from booker.people.selectors import runs_the_studio
from booker.sessions.access import FINALS_VISIBLE_TO_CLIENT, studio_sessions
from booker.sessions.approval import finals_approval
from booker.sessions.machine import transition

logger = logging.getLogger(__name__)

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
    if not finals_approval(session).may_deliver:
        raise StudioError(_("The client has not approved every retouch yet."))
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


# --- Web copies, made by the worker ----------------------------------------------------------


@dataclass
class WebCopies:
    made: int = 0
    failed: list[int] = field(default_factory=list)


def make_web_copies(session_id: int, final_ids: list[int] | None = None) -> WebCopies:
    """The web copy of each delivered final of the session (or of `final_ids` among them), kept
    in storage: the first person to open the delivery, or a family link, never waits for it.
    A final that cannot be read (corrupt, missing) is logged and skipped: the others are made."""
    report = WebCopies()
    session = PhotoSession.objects.filter(pk=session_id).first()
    if session is None:
        return report
    finals = delivered_finals(session)
    if final_ids is not None:
        finals = finals.filter(pk__in=final_ids)
    for final in finals:
        try:
            library.web_copy(final)
        except Exception:  # noqa: BLE001 -- one bad file must not cost the others their copy
            logger.exception("Web copy of final %s (session %s) failed", final.pk, session_id)
            report.failed.append(final.pk)
        else:
            report.made += 1
    return report


def enqueue_web_copies(session_id: int, final_ids: list[int] | None = None) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("booker.tasks.make_web_copies", session_id, final_ids,
                           task_name=f"web-copies-{session_id}", group=f"session-{session_id}")
    )


def on_session_delivered(event: Happened) -> None:
    """Subscribed to session.delivered (booker/receivers.py)."""
    if event.session_id is not None:
        enqueue_web_copies(event.session_id)


def on_final_approved(event: Happened) -> None:
    """Subscribed to retouch.done: a final approved once the session is already delivered
    (a late retouch) gets its web copy too."""
    job_id = event.payload.get("job")
    if event.session_id is None or job_id is None:
        return
    if not PhotoSession.objects.filter(pk=event.session_id,
                                       status__in=FINALS_VISIBLE_TO_CLIENT).exists():
        return
    final_ids = list(FinalPhoto.objects.filter(job_id=job_id).values_list("pk", flat=True))
    if final_ids:
        enqueue_web_copies(event.session_id, final_ids)


# --- Family share links ----------------------------------------------------------------------


# How long a family link stays open; never beyond the delivery's own closing (read at each
# visit, so an extension by the studio carries the links along, up to their own end).
SHARE_DAYS = 30


@transaction.atomic
def create_share_link(session: PhotoSession, *, user: User) -> ShareLink:
    """A view-only link to the finals `user` sees now. Only the session's client, or an admin
    or approver of its company: a plain member does not give out the company's photos."""
    if not may_share(user, session):
        raise StudioError(_("Only the client can share these photos."))
    finals = list(share_finals_for(user, session).values_list("pk", flat=True))
    if not finals:
        raise StudioError(_("There is no photo to share."))
    now = timezone.now()
    link = ShareLink.objects.create(
        session=session, created_by=user, token=secrets.token_urlsafe(24), created_at=now,
        expires_at=now + timedelta(days=SHARE_DAYS),
    )
    link.finals.set(finals)
    record(session, Event.SHARE_CREATED, actor=user, link=link.pk,
           expires_at=link.expires_at.isoformat(), photos=len(finals))
    return link


@transaction.atomic
def revoke_share_link(session: PhotoSession, link_id: int, *, user: User) -> ShareLink:
    """Close a link at once. Whoever may share the session may close any of its links (a
    colleague's too: an admin cleaning up after someone who left)."""
    if not may_share(user, session):
        raise StudioError(_("Only the client can share these photos."))
    link = ShareLink.objects.select_for_update().filter(session=session, pk=link_id).first()
    if link is None:
        raise StudioError(_("This link does not exist."))
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record(session, Event.SHARE_REVOKED, actor=user, link=link.pk)
    return link


@transaction.atomic
def revoke_share_links_as_studio(link_ids: Iterable[int], *, actor: User) -> int:
    """The studio closes family links from /admin/ (a photo shared by mistake, a client who
    asks on the phone): those still open among the sessions `actor` runs. Each is recorded in
    its session's history, as the studio's doing. How many were closed."""
    if not runs_the_studio(actor):
        raise StudioError(_("Only the studio can close these links."))
    links = list(
        ShareLink.objects.select_for_update()
        .filter(pk__in=list(link_ids), revoked_at__isnull=True,
                session__in=studio_sessions(actor))
        .select_related("session").order_by("pk")
    )
    now = timezone.now()
    for link in links:
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])
        record(link.session, Event.SHARE_REVOKED, actor=actor, link=link.pk, by_studio=True)
    return len(links)


def count_share_view(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1)
