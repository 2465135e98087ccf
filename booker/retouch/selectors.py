from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from booker.models import (
    PhotoSession,
    RetouchJob,
    SelectionItem,
    User,
)
from booker.people.selectors import role_names
from booker.roles import PHOTOGRAPHER
from booker.sessions.access import (
    JOB_HOLDING_ROLES,
    SessionFiles,
    may_see_session_files,
    sees_every_session,
)

Status = PhotoSession.Status


def jobs_of(retoucher: User) -> QuerySet[RetouchJob]:
    return (
        RetouchJob.objects.filter(assignee=retoucher)
        .exclude(status=RetouchJob.Status.DONE)
        .select_related("rush", "session", "final")
        .order_by("due_date", "session_id", "rush__original_filename")
    )


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


def job_original_for(user: User, job_id: int) -> RetouchJob:
    """A job whose RAW `user` may download: a retoucher, the jobs they hold (not the rest of
    the session's originals); the photographer, the jobs of the sessions they run. 404 for
    everyone else, without saying the job exists."""
    job = back_office_jobs(user).filter(pk=job_id).first()
    if job is None or not may_see_session_files(user, job.session, SessionFiles.ORIGINALS):
        raise Http404("No such job.")
    return job


def kit_jobs(user: User, session_id: int | None = None) -> QuerySet[RetouchJob]:
    """The open jobs `user` holds (their retoucher's kit), one session's if asked."""
    jobs = jobs_of(user)
    if session_id is not None:
        jobs = jobs.filter(session_id=session_id)
    return jobs


def client_comments(jobs: list[RetouchJob]) -> dict[int, str]:
    """What the client wrote under each job's photo, by rush id (one query)."""
    rows = SelectionItem.objects.filter(
        selection__session_id__in={j.session_id for j in jobs},
        rush_id__in=[j.rush_id for j in jobs],
    ).exclude(comment="").values_list("rush_id", "comment")
    return dict(rows)


def jobs_to_review(user: User) -> QuerySet[RetouchJob]:
    """The finals waiting for the photographer's word, oldest upload first: those of the
    sessions `user` runs (none for a retoucher: reviewing is the studio's)."""
    held = role_names(user)
    if not (sees_every_session(user) or PHOTOGRAPHER in held):
        return RetouchJob.objects.none()
    return (back_office_jobs(user).filter(status=RetouchJob.Status.IN_REVIEW,
                                          final__isnull=False)
            .select_related("session", "rush", "assignee", "final")
            .prefetch_related("versions")
            .order_by("final__uploaded_at", "pk"))


def job_to_review(user: User, job_id: int) -> RetouchJob:
    """One job `user` may review (its final shown, approved or returned); 404 otherwise."""
    job = (back_office_jobs(user).filter(pk=job_id).select_related("final")
           .prefetch_related("versions").first())
    held = role_names(user)
    if job is None or not (sees_every_session(user) or PHOTOGRAPHER in held):
        raise Http404("No such job.")
    return job

