"""A rush's way in: its upload (browser to storage) and its ingest (original to proof). Both
are moved by compare-and-set (`StateMachine.move_rows`): several workers and requests race
for the same row, and exactly one wins each move."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from booker.machine import StateMachine
from booker.models import Rush, RushUpload

Ingest = Rush.Ingest
State = RushUpload.State

RUSH_INGEST = StateMachine(
    name="rush ingest",
    model="booker.Rush",
    field="ingest_status",
    states=Ingest,
    owner="booker.intake.ingest",
    initial=Ingest.PENDING,
    refusal=_("A photo cannot go from “%(from)s” to “%(to)s”."),
    moves={
        # A worker claims it (a failed one too: the photographer's retry queues it again).
        Ingest.PENDING: frozenset({Ingest.PROCESSING}),
        # Done, failed, or back to pending when the worker died and its lease ran out.
        Ingest.PROCESSING: frozenset({Ingest.READY, Ingest.FAILED, Ingest.PENDING}),
        Ingest.FAILED: frozenset({Ingest.PENDING, Ingest.PROCESSING}),
        Ingest.READY: frozenset(),
    },
    # A retry of a pending rush (its task may be lost) starts its attempts afresh; a rush whose
    # worker died is claimed again by the next one (a new lease, one more attempt).
    loops=frozenset({Ingest.PENDING, Ingest.PROCESSING}),
)

UPLOAD = StateMachine(
    name="upload",
    model="booker.RushUpload",
    field="state",
    states=State,
    owner="booker.intake.uploads",
    initial=State.UPLOADING,
    refusal=_("An upload cannot go from “%(from)s” to “%(to)s”."),
    moves={
        State.UPLOADING: frozenset({State.COMPLETE, State.ABORTED}),
        State.COMPLETE: frozenset(),
        State.ABORTED: frozenset(),
    },
)
