"""Reads of the studio's data, always scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import (
    Delivery,
    FinalPhoto,
    Membership,
    PhotoSession,
    RetouchJob,
    Rush,
    SelectionItem,
    User,
)
from .roles import PHOTOGRAPHER, RETOUCHER

Status = PhotoSession.Status


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("company").order_by("company__name")


def sessions_visible_to(user: User) -> QuerySet[PhotoSession]:
    """A client's own sessions and those of the companies they belong to."""
    if not user.is_authenticated:
        return PhotoSession.objects.none()
    return (
        PhotoSession.objects.filter(Q(client=user) | Q(company__memberships__user=user))
        .exclude(status=Status.CANCELLED)
        .select_related("company", "client")
        .distinct()
    )


def session_for(user: User, pk: int) -> PhotoSession:
    """The session if `user` may see it; 404 otherwise — never say it exists."""
    session = sessions_visible_to(user).filter(pk=pk).first()
    if session is None:
        raise Http404("No such session.")
    return session


# What a session's status means for the client, in their words.
CLIENT_STATUS_TEXT = {
    Status.BOOKED: _("Your session is booked. We look forward to seeing you!"),
    Status.SHOT: _(
        "Your photos are being prepared. You will get an email as soon as you can "
        "choose your favourites."
    ),
    Status.PROOFING: _(
        "Your proofs are ready: pick the photos you want, add a comment if you "
        "wish, then submit your selection."
    ),
    Status.AWAITING_PAYMENT: _(
        "Your selection is saved. The studio starts on it as soon as your extra photos are "
        "paid."
    ),
    Status.SELECTION_SUBMITTED: _("Thank you! Your selection is with the studio."),
    Status.RETOUCHING: _("Your photos are being retouched."),
    Status.DELIVERED: _("Your photos are ready to download."),
    # Only the originals (RAW) go to the archive tier: the finals stay online.
    Status.ARCHIVED: _(
        "Your photos are ready to download. The studio keeps the original files in its "
        "archive; ask if you need them."
    ),
    Status.RESTORING: _(
        "Your photos are ready to download. The studio is bringing the original files back "
        "from its archive."
    ),
    Status.CANCELLED: _("This session was cancelled."),
}


@dataclass(frozen=True)
class ProofCard:
    """One photo in the client's gallery: everything the grid needs, no further query."""

    id: int
    filename: str
    width: int | None
    height: int | None
    picked: bool
    comment: str


def gallery(session: PhotoSession) -> list[ProofCard]:
    """The ready proofs of a session with the client's word on each, in one query."""
    items = SelectionItem.objects.filter(selection__session=session, rush=OuterRef("pk"))
    rows = (
        Rush.objects.filter(session=session, ingest_status=Rush.Ingest.READY)
        .annotate(
            picked=Exists(items.filter(picked=True)),
            comment=Subquery(items.values("comment")[:1]),
        )
        .order_by("captured_at", "original_filename", "pk")
        .values_list("pk", "original_filename", "width", "height", "picked", "comment")
    )
    return [
        ProofCard(pk, name, w, h, picked, comment or "") for pk, name, w, h, picked, comment in rows
    ]


@dataclass(frozen=True)
class Extras:
    """Picks beyond the package: how many, and what they cost."""

    count: int
    unit_price: Decimal
    total: Decimal


def extras_for(session: PhotoSession, picked: int) -> Extras | None:
    """The extra photos of a selection of `picked`, when the package sells extras."""
    if not session.sells_extras or picked <= session.quota:
        return None
    count = picked - session.quota
    return Extras(count, session.extra_photo_price, count * session.extra_photo_price)


def extra_picks(session: PhotoSession) -> list[int]:
    """The rush ids of the picks beyond the package: the last ones in gallery order (which
    picks are "the extras" is arbitrary; this order keeps it stable for the shop's lines)."""
    picked = [card.id for card in gallery(session) if card.picked]
    return picked[session.quota:]


def pick_count(session: PhotoSession) -> int:
    return SelectionItem.objects.filter(selection__session=session, picked=True).count()


def picks(session: PhotoSession) -> QuerySet[SelectionItem]:
    return (
        SelectionItem.objects.filter(selection__session=session)
        .filter(Q(picked=True) | ~Q(comment=""))
        .select_related("rush")
        .order_by("rush__original_filename")
    )


def ingest_counts(session: PhotoSession) -> dict[str, int]:
    counts = {s: 0 for s in Rush.Ingest.values}
    for row in session.rushes.values("ingest_status").annotate(n=Count("pk")):
        counts[row["ingest_status"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def jobs_of(retoucher: User) -> QuerySet[RetouchJob]:
    return (
        RetouchJob.objects.filter(assignee=retoucher)
        .exclude(status=RetouchJob.Status.DONE)
        .select_related("rush", "session", "final")
        .order_by("due_date", "session_id", "rush__original_filename")
    )


def delivered_finals(session: PhotoSession) -> QuerySet:
    return (
        FinalPhoto.objects.filter(job__session=session, job__status=RetouchJob.Status.DONE)
        .select_related("job__rush")
        .order_by("original_filename")
    )


# --- The client portal's files -----------------------------------------------------------------


# Once the proofs are published the client sees them, and keeps seeing the thumbnails of their
# picks until delivery. Before publication the photographer may still be sorting the rushes.
# Archiving moves only the originals (booker/archive.py): proofs and finals stay online, so an
# archived or restoring session is still delivered as far as the client is concerned.
FINALS_VISIBLE_TO_CLIENT = frozenset({Status.DELIVERED, Status.ARCHIVED, Status.RESTORING})
PROOFS_VISIBLE_TO_CLIENT = frozenset(
    {
        Status.PROOFING,
        Status.AWAITING_PAYMENT,
        Status.SELECTION_SUBMITTED,
        Status.RETOUCHING,
        *FINALS_VISIBLE_TO_CLIENT,
    }
)


class SessionFiles(StrEnum):
    """What of a session's files is asked for: each kind has its own rule for clients."""

    PROOFS = "proofs"  # thumbnails and watermarked proofs of the rushes
    FINALS = "finals"  # the retouched files, one by one or in the delivery's ZIP
    ORIGINALS = "originals"  # the RAW rushes: the studio's only, never the client's


# For a client, each kind of file opens at a status; the studio sees them at any status.
CLIENT_STATUSES = {
    SessionFiles.PROOFS: PROOFS_VISIBLE_TO_CLIENT,
    SessionFiles.FINALS: FINALS_VISIBLE_TO_CLIENT,
    SessionFiles.ORIGINALS: frozenset(),
}
# Whoever holds a job in a session works on its photos: these roles' holders get its files.
JOB_HOLDING_ROLES = frozenset({PHOTOGRAPHER, RETOUCHER})


def role_names(user: User) -> frozenset[str]:
    """The studio roles (groups) `user` holds, read once per user object, as Django caches
    permissions: the admin asks several times a page."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_booker_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._booker_role_names = cached
    return cached


def sees_every_session(user: User) -> bool:
    """Superusers, and photographers while the studio is one team
    (`BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS`, see docs/architecture.md)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return PHOTOGRAPHER in role_names(user) and settings.BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS


def _studio_scope(user: User) -> Q | None:
    """The sessions `user` works on, for someone who does not see every session: those they
    shoot (photographers) and those they hold a retouch job in. None: no studio relationship."""
    held = role_names(user)
    scope = None
    if PHOTOGRAPHER in held:
        scope = Q(photographer=user)
    if held & JOB_HOLDING_ROLES:
        # A subquery rather than a join: a join repeats a session once per job and inflates
        # the counts the admin list annotates.
        jobs = Q(pk__in=RetouchJob.objects.filter(assignee=user).values("session_id"))
        scope = jobs if scope is None else scope | jobs
    return scope


def studio_sessions(user: User) -> QuerySet[PhotoSession]:
    """The sessions `user` works on in the studio, whatever their status: every one for
    superusers (and photographers when they all see everything), else those they shoot or
    hold a job in. Clients, editors and shop managers: none."""
    if sees_every_session(user):
        return PhotoSession.objects.all()
    scope = _studio_scope(user)
    if scope is None:
        return PhotoSession.objects.none()
    return PhotoSession.objects.filter(scope)


def sessions_with_files_for(user: User, kind: SessionFiles) -> QuerySet[PhotoSession]:
    """The list form of `may_see_session_files`: the sessions whose `kind` files `user` may
    fetch, as the studio (any status) or as the client or a member of the client company
    (once the status opens them)."""
    if sees_every_session(user):
        return PhotoSession.objects.all()
    scope = _studio_scope(user)
    statuses = CLIENT_STATUSES[kind]
    if statuses and user.is_authenticated and user.is_active:
        as_client = Q(pk__in=sessions_visible_to(user).filter(status__in=statuses).values("pk"))
        scope = as_client if scope is None else scope | as_client
    if scope is None:
        return PhotoSession.objects.none()
    return PhotoSession.objects.filter(scope)


def works_on_session(user: User, session: PhotoSession) -> bool:
    """Whether `user` works on `session` in the studio (the object form of studio_sessions)."""
    if sees_every_session(user):
        return True
    held = role_names(user)
    if PHOTOGRAPHER in held and session.photographer_id == user.pk:
        return True
    return bool(
        held & JOB_HOLDING_ROLES
        and RetouchJob.objects.filter(session=session, assignee=user).exists()
    )


def receives_session(user: User, session: PhotoSession) -> bool:
    """Whether `session` is `user`'s as a client: their own, or their company's."""
    if not user.is_authenticated or not user.is_active:
        return False
    if session.status == Status.CANCELLED:
        return False
    if session.client_id is not None:
        return session.client_id == user.pk
    return Membership.objects.filter(company_id=session.company_id, user=user).exists()


def may_see_session_files(user: User, session: PhotoSession, kind: SessionFiles) -> bool:
    """THE rule of who may fetch a session's private files (every file view, the back office
    and the shop's prints ask it or its list form `sessions_with_files_for`):

    - the studio, at any status: superusers; photographers, every session or only those they
      shoot (`BOOKER_PHOTOGRAPHERS_SEE_ALL_SESSIONS`); a retoucher (or photographer) holding
      a job in the session;
    - the client, or any member of the client company: proofs once published, finals once
      delivered, never the originals.

    Editors and shop managers get nothing unless they also hold a studio role. The model
    permissions (`view_rush`…) say what a role may do in the admin, not whose files it reads."""
    if works_on_session(user, session):
        return True
    return session.status in CLIENT_STATUSES[kind] and receives_session(user, session)


def rush_file_for(user: User, rush_id: int) -> Rush:
    """A ready rush whose proof and thumbnail `user` may fetch (`may_see_session_files`).
    404 for everyone else — never say it exists."""
    rush = (
        Rush.objects.filter(pk=rush_id, ingest_status=Rush.Ingest.READY)
        .select_related("session")
        .first()
    )
    if rush is None or not may_see_session_files(user, rush.session, SessionFiles.PROOFS):
        raise Http404("No such photo.")
    return rush


def final_file_for(user: User, final_id: int) -> FinalPhoto:
    """A final `user` may download: the studio working on the session (to check a retouch,
    delivered or not), or the client of a delivered session for an approved final."""
    final = (
        FinalPhoto.objects.filter(pk=final_id).select_related("job__rush", "job__session").first()
    )
    if final is None:
        raise Http404("No such file.")
    session = final.job.session
    if works_on_session(user, session):
        return final
    if final.job.status != RetouchJob.Status.DONE or not may_see_session_files(
        user, session, SessionFiles.FINALS
    ):
        raise Http404("No such file.")
    return final


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


# --- The studio back office (/admin/) -------------------------------------------------------------


def runs_the_studio(user: User) -> bool:
    """Photographers (and superusers) run the sessions they see (`studio_sessions`: all, or
    those they shoot); the rest of the back office (retouchers) sees only the work given to
    them."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or PHOTOGRAPHER in role_names(user)


def back_office_sessions(user: User) -> QuerySet[PhotoSession]:
    """The sessions of the back office's lists and pages: `studio_sessions`, the same rule as
    the files."""
    return studio_sessions(user).select_related("client", "company", "package")


def with_ingest_counts(sessions: QuerySet[PhotoSession]) -> QuerySet[PhotoSession]:
    """Annotate each session with its rushes ready / failed / still in flight (one query)."""
    ingest = Rush.Ingest
    return sessions.annotate(
        rushes_ready=Count("rushes", filter=Q(rushes__ingest_status=ingest.READY)),
        rushes_failed=Count("rushes", filter=Q(rushes__ingest_status=ingest.FAILED)),
        rushes_in_flight=Count(
            "rushes", filter=Q(rushes__ingest_status__in=[ingest.PENDING, ingest.PROCESSING])
        ),
    )


def originals_by_tier(session: PhotoSession) -> dict[str, int]:
    """How many of the session's originals are online, and how many in the archive tier."""
    counts = {tier: 0 for tier in Rush.Tier.values}
    for row in session.rushes.values("original_tier").annotate(n=Count("pk")):
        counts[row["original_tier"]] = row["n"]
    return counts


def studio_rushes(session: PhotoSession) -> QuerySet[Rush]:
    """The rushes of a session as the photographer sorts them: by file name."""
    return session.rushes.order_by("original_filename", "pk")


def back_office_jobs(user: User) -> QuerySet[RetouchJob]:
    """Every retouch job for those who see every session; for a photographer who sees only
    their own sessions, the jobs of those; for a retoucher, their own (done ones included)."""
    jobs = RetouchJob.objects.select_related("rush", "session", "assignee", "final")
    if sees_every_session(user):
        return jobs
    held = role_names(user)
    scope = None
    if PHOTOGRAPHER in held:
        scope = Q(session__photographer=user)
    if held & JOB_HOLDING_ROLES:
        scope = Q(assignee=user) if scope is None else scope | Q(assignee=user)
    return jobs.none() if scope is None else jobs.filter(scope)


def session_jobs(session: PhotoSession) -> QuerySet[RetouchJob]:
    return (
        RetouchJob.objects.filter(session=session)
        .select_related("rush", "assignee", "final")
        .order_by("rush__original_filename", "pk")
    )


def retouchers() -> QuerySet[User]:
    """Who a job can be given to: active members of the Retoucher group."""

    return User.objects.filter(is_active=True, groups__name=RETOUCHER).order_by(
        "first_name", "last_name", "email"
    )
