"""A personal data erasure's run in the worker (GDPR, booker.privacy): queued by the admin,
running in the worker, done, or failed with its reason and queued again from its record."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.machine import StateMachine
from booker.models import PersonalDataErasure

Status = PersonalDataErasure.Status

ERASURE = StateMachine(
    name="personal data erasure",
    model="booker.PersonalDataErasure",
    field="status",
    states=Status,
    owner="booker.people.machine",
    initial=Status.QUEUED,
    refusal=_("An erasure cannot go from “%(from)s” to “%(to)s”."),
    moves={
        Status.QUEUED: frozenset({Status.RUNNING, Status.FAILED}),
        Status.RUNNING: frozenset({Status.DONE, Status.FAILED}),
        # Done is done: running it again would find nothing left to erase.
        Status.DONE: frozenset(),
        # "Relancer": the studio queues it again; what was already erased is skipped.
        Status.FAILED: frozenset({Status.QUEUED}),
    },
    # The worker killed mid-run (its timeout) retries the task: it starts again from running.
    loops=frozenset({Status.RUNNING}),
)


def move(record: PersonalDataErasure, target: str, **fields) -> bool:
    """Move `record` to `target` (compare-and-set on the status it holds), writing `fields`
    with it; False when another worker moved it first. Keeps `record` in step."""
    rows = PersonalDataErasure.objects.filter(pk=record.pk)
    moved = ERASURE.move_rows(rows, record.status, target, **fields) == 1
    if moved:
        record.status = target
        for name, value in fields.items():
            setattr(record, name, value)
    return moved
