from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, QuerySet
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.utils import timezone

from booker.models import (
    Delivery,
    FinalPhoto,
    Membership,
    PhotoSession,
    RetouchJob,
    ShareLink,
    User,
)
from booker.people.models import LEAD_ROLES
from booker.sessions.access import (
    FINALS_VISIBLE_TO_CLIENT,
    SessionFiles,
    finals_for,
    may_see_session_files,
    receives_session,
    studio_sessions,
    works_on_session,
)
from booker.sessions.models import DeliverySizes

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


# --- Sizes -------------------------------------------------------------------------------------


def offers_hd(session: PhotoSession) -> bool:
    return session.delivery_sizes != DeliverySizes.WEB


def offers_web(session: PhotoSession) -> bool:
    return session.delivery_sizes != DeliverySizes.HD


def size_refused_for(user: User, session: PhotoSession, size: str) -> bool:
    """Whether the package leaves out this size ("hd" or "web") for `user`: a web-only package
    never unlocks the HD file (what is paid is what is unlocked); the studio gets every file."""
    offered = offers_hd(session) if size == DeliverySizes.HD else offers_web(session)
    return not offered and not works_on_session(user, session)


# --- Family share links ----------------------------------------------------------------------


def may_share(user: User, session: PhotoSession) -> bool:
    """Who gives a view-only link to the delivered photos: the client of a private session; for
    a company's, its admins and approvers (the people who speak for it), never a plain member:
    the company's photos are not theirs to give out. Asked again at every visit of a link."""
    if session.status not in FINALS_VISIBLE_TO_CLIENT or not receives_session(user, session):
        return False
    if session.company_id is None:
        return True
    return Membership.objects.filter(company_id=session.company_id, user_id=user.pk,
                                     role__in=LEAD_ROLES).exists()


def share_finals_for(user: User, session: PhotoSession) -> QuerySet:
    """What a link made by `user` shows: the delivered finals they see (hidden photos, a
    headshot day's sitters: booker.sessions.access.finals_for)."""
    return finals_for(user, session, delivered_finals(session))


def share_links_of(session: PhotoSession) -> list[ShareLink]:
    """The session's links still open, newest first, for the page that revokes them."""
    now = timezone.now()
    return list(
        ShareLink.objects.filter(session=session, revoked_at__isnull=True, expires_at__gt=now)
        .select_related("created_by")
    )


def share_closes_at(link: ShareLink) -> datetime:
    """When the link stops: its own end, or the delivery's closing if that comes first."""
    delivery = Delivery.objects.filter(session_id=link.session_id).first()
    if delivery is not None and delivery.expires_at is not None:
        return min(link.expires_at, delivery.expires_at)
    return link.expires_at


def studio_share_links(user: User) -> QuerySet[ShareLink]:
    """The family links of the sessions `user` works on, for the studio's list in /admin/:
    each with `closes_at` (`share_closes_at`, computed by the database: the delivery's closing
    when it comes first) and `photo_count`."""
    return (
        ShareLink.objects.filter(session__in=studio_sessions(user))
        .select_related("session__client", "session__company", "created_by")
        .annotate(
            closes_at=Least(F("expires_at"),
                            Coalesce(F("session__delivery__expires_at"), F("expires_at"))),
            photo_count=Count("finals", distinct=True),
        )
    )


def share_state(link: ShareLink, at: datetime | None = None) -> str:
    """"revoked", "closed" (past its closing) or "open", by the link's own dates (the list's
    word; a visit also asks whether its creator may still share: `share_is_open`)."""
    if link.revoked_at is not None:
        return "revoked"
    closes_at = getattr(link, "closes_at", None) or share_closes_at(link)
    return "closed" if (at or timezone.now()) >= closes_at else "open"


def share_link(token: str) -> ShareLink:
    """The link at `token`, open or not (404 for a token that never existed)."""
    link = (ShareLink.objects.filter(token=token).select_related("session", "created_by")
            .first()) if token else None
    if link is None:
        raise Http404("No such link.")
    return link


def share_is_open(link: ShareLink, at: datetime | None = None) -> bool:
    """Open: not revoked, not past its closing, and its creator may still share the session (a
    member removed from the company, an account closed: the link dies with their access)."""
    if link.revoked_at is not None or (at or timezone.now()) >= share_closes_at(link):
        return False
    return may_share(link.created_by, link.session)


def shared_finals(link: ShareLink) -> QuerySet:
    """The finals the link shows: those chosen at share time that its creator still sees."""
    return share_finals_for(link.created_by, link.session).filter(
        pk__in=link.finals.values("pk"))
