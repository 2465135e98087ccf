from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from booker.models import (
    FinalPhoto,
    Membership,
    PhotoSession,
    RetouchJob,
    Rush,
    User,
)
from booker.people.models import LEAD_ROLES
from booker.people.selectors import role_names
from booker.roles import PHOTOGRAPHER, RETOUCHER

Status = PhotoSession.Status


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


# Whoever holds a job in a session works on its photos: these roles' holders get its files.
JOB_HOLDING_ROLES = frozenset({PHOTOGRAPHER, RETOUCHER})


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
    if rush.hidden_from_client and not works_on_session(user, rush.session):
        # Hidden by the photographer (booker.proofing.curation): gone for the client.
        raise Http404("No such photo.")
    if rush.sitter_id != user.pk and sees_own_photos_only(user, rush.session) and not (
            works_on_session(user, rush.session)):
        raise Http404("No such photo.")
    return rush


def sees_own_photos_only(user: User, session: PhotoSession) -> bool:
    """On a company's headshot day (its photos have sitters, booker/intake/sitters.py) a plain
    member sees only the photos they sit in; the company's admins and approvers see them all
    (the gallery's rule, booker.proofing.selectors.seat, read here for the files)."""
    if session.company_id is None:
        return False
    if Membership.objects.filter(company_id=session.company_id, user_id=user.pk,
                                 role__in=LEAD_ROLES).exists():
        return False
    return session.rushes.filter(sitter__isnull=False).exists()


def final_file_for(user: User, final_id: int, *, to_approve: bool = False) -> FinalPhoto:
    """A final `user` may download: the studio working on the session (to check a retouch,
    delivered or not), or the client of a delivered session for an approved final. With
    `to_approve` (the screen copy only, never a download: nothing is paid for before
    delivery), also the final the client is asked to approve before delivery."""
    final = (
        FinalPhoto.objects.filter(pk=final_id).select_related("job__rush", "job__session").first()
    )
    if final is None:
        raise Http404("No such file.")
    session = final.job.session
    if works_on_session(user, session):
        return final
    if to_approve and asked_to_approve(final) and approves_finals(user, session):
        # Before delivery, the one final the client was asked to approve (its current
        # version, approved by the studio), for the people who answer for the client.
        return final
    if final.job.status != RetouchJob.Status.DONE or not may_see_session_files(
        user, session, SessionFiles.FINALS
    ):
        raise Http404("No such file.")
    if final.job.rush.sitter_id != user.pk and sees_own_photos_only(user, session):
        raise Http404("No such file.")
    if hidden_finals(user, session).filter(pk=final.pk).exists():
        # Hidden by the company's admins: gone for its members, by every door (the portal's
        # list, a download, the ZIP, the shop's print chooser).
        raise Http404("No such file.")
    return final


def approves_finals(user: User, session: PhotoSession) -> bool:
    """Who approves the retouches before delivery, when the package asks the client to: the
    client of a private session; for a company's, its admins and approvers (those who submit
    its selection), never a plain member."""
    if not session.client_approves_finals or session.status != Status.RETOUCHING:
        return False
    if not receives_session(user, session):
        return False
    if session.company_id is None:
        return True
    return Membership.objects.filter(company_id=session.company_id, user_id=user.pk,
                                     role__in=LEAD_ROLES).exists()


def asked_to_approve(final: FinalPhoto) -> bool:
    """Whether this version of the final is the one the studio sent the client to approve
    (approved by the studio, sent, and not replaced since)."""
    job = final.job
    return job.status == RetouchJob.Status.DONE and job.client_asked_version == final.version


def finals_for(user: User, session: PhotoSession, finals: QuerySet[FinalPhoto]
               ) -> QuerySet[FinalPhoto]:
    """The part of `session`'s delivered `finals` that `user` gets (the list, the ZIP): on a
    headshot day a plain member gets the photos they sit in; everyone else, all of them; and
    a company's members never get what its admins hid."""
    if works_on_session(user, session):
        return finals
    finals = finals.exclude(pk__in=hidden_finals(user, session).values("pk"))
    if not sees_own_photos_only(user, session):
        return finals
    return finals.filter(job__rush__sitter=user)


def hidden_finals(user: User, session: PhotoSession) -> QuerySet[FinalPhoto]:
    """The session's finals its company's admins have hidden (the delivery's HiddenPhoto, read
    through its `hidden` relation: the sessions layer imports nothing above it), as far as
    `user` is concerned: none for a private client's session, for the company's admins or for
    the studio working on it."""
    hidden = FinalPhoto.objects.filter(job__session=session, hidden__isnull=False)
    if session.company_id is None or works_on_session(user, session):
        return hidden.none()
    admin = Membership.objects.filter(company_id=session.company_id, user_id=user.pk,
                                      role=Membership.Role.ADMIN)
    return hidden.none() if admin.exists() else hidden


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


# For a client, each kind of file opens at a status; the studio sees them at any status.
CLIENT_STATUSES = {
    SessionFiles.PROOFS: PROOFS_VISIBLE_TO_CLIENT,
    SessionFiles.FINALS: FINALS_VISIBLE_TO_CLIENT,
    SessionFiles.ORIGINALS: frozenset(),
}


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


