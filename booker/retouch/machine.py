"""A retouch job's life: the one table of its moves and the one function that makes them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.events import Event, record
from booker.machine import StateMachine
from booker.models import RetouchJob, User

JobStatus = RetouchJob.Status

RETOUCH_JOB = StateMachine(
    name="retouch job",
    model="booker.RetouchJob",
    field="status",
    states=JobStatus,
    owner="booker.retouch.machine",
    initial=JobStatus.TODO,
    refusal=_("A retouch cannot go from “%(from)s” to “%(to)s”."),
    moves={
        JobStatus.TODO: frozenset({JobStatus.IN_PROGRESS, JobStatus.IN_REVIEW}),
        JobStatus.IN_PROGRESS: frozenset({JobStatus.IN_REVIEW, JobStatus.TODO}),
        JobStatus.IN_REVIEW: frozenset({JobStatus.DONE, JobStatus.CHANGES_REQUESTED}),
        JobStatus.CHANGES_REQUESTED: frozenset({JobStatus.IN_PROGRESS, JobStatus.IN_REVIEW}),
        JobStatus.DONE: frozenset({JobStatus.CHANGES_REQUESTED}),
    },
)


def move_job(job: RetouchJob, to: str, *, actor: User | None, note: str = "") -> None:
    """The one place a retouch job changes status (moving to where it is changes nothing)."""
    with transaction.atomic():
        locked = RetouchJob.objects.select_for_update().get(pk=job.pk)
        if to == locked.status:
            return
        RETOUCH_JOB.check(locked.status, to)
        RETOUCH_JOB.move_rows(RetouchJob.objects.filter(pk=job.pk), locked.status, to,
                              updated_at=timezone.now())
        record(job.session, Event.job_arriving_at(to), actor=actor, from_status=locked.status,
               to_status=to, job=job.pk, rush=job.rush.original_filename, note=note)
        job.status = to
