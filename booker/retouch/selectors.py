from __future__ import annotations

from django.db.models import Q, QuerySet

from booker.models import (
    PhotoSession,
    RetouchJob,
    User,
)
from booker.people.selectors import role_names
from booker.roles import PHOTOGRAPHER
from booker.sessions.access import JOB_HOLDING_ROLES, sees_every_session

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
