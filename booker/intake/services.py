from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from booker.errors import IllegalTransition, StudioError
from booker.events import Event, record
from booker.intake import ingest
from booker.intake.ingest import enqueue_ingest
from booker.intake.machine import RUSH_INGEST
from booker.intake.sitters import attribute_by_slot  # noqa: F401 -- a write of this package
from booker.models import (
    PhotoSession,
    Rush,
    RushUpload,
    SessionEvent,
    User,
)
from booker.sessions.machine import transition
from booker.storage import sha256_of

Status = PhotoSession.Status


Ingest = Rush.Ingest


@dataclass
class AddedRush:
    rush: Rush
    duplicate: bool


# While proofing the new rushes join the client's gallery once ready (`announce_new_proofs`).
TAKES_RUSHES = (Status.BOOKED, Status.SHOT, Status.PROOFING)


def check_takes_rushes(session: PhotoSession) -> None:
    """Rushes come in while the session is booked or shot, and while the client chooses. Once
    the selection is submitted the client chose among what was there: the photographer
    reopens the selection first."""
    if session.status in TAKES_RUSHES:
        return
    if session.status in (Status.AWAITING_PAYMENT, Status.SELECTION_SUBMITTED):
        raise StudioError(_("The client has submitted their selection: reopen it to add "
                            "photos, so that they can choose among the new ones too."))
    raise StudioError(_("Photos can no longer be added to this session."))


def rush_filename(filename: str) -> str:
    """The name the photographer knows the file by (a browser may send a Windows path)."""
    return (PurePath(filename.replace("\\", "/")).name or "unnamed")[:255]


def add_rush(
    session: PhotoSession,
    fileobj: BinaryIO,
    filename: str,
    *,
    actor: User | None = None,
    enqueue: bool = True,
) -> AddedRush:
    """Store one original and queue its proof. The same file twice in a session is reported
    as a duplicate and stored once."""
    check_takes_rushes(session)
    filename = rush_filename(filename)
    digest, size = sha256_of(fileobj)
    existing = Rush.objects.filter(session=session, sha256=digest).first()
    if existing is not None:
        return AddedRush(existing, duplicate=True)
    field = Rush._meta.get_field("original")
    name = field.generate_filename(Rush(session=session), filename)
    name = field.storage.save(name, File(fileobj, name=filename), max_length=field.max_length)
    # Hashed here as it was read, and the storage's own write is checked (boto3 sends a
    # checksum with every upload): what is stored is what was hashed.
    return add_stored_rush(session, name, filename, sha256=digest, size=size, actor=actor,
                           enqueue=enqueue, checked=True)


def add_stored_rush(
    session: PhotoSession,
    name: str,
    filename: str,
    *,
    sha256: str,
    size: int,
    actor: User | None = None,
    enqueue: bool = True,
    checked: bool = False,
) -> AddedRush:
    """The rush of an original already written under `name` in the originals storage (by
    add_rush, or uploaded straight to S3 by the browser), and its proof queued. `checked`:
    the stored bytes were verified against `sha256` on the way in, so the ingest need not.

    `name` was written for this rush alone: when the session refuses it, or the same file is
    already a rush, that copy is deleted, so a file is stored once and nothing is orphaned."""
    storage = Rush._meta.get_field("original").storage
    try:
        check_takes_rushes(session)
    except StudioError:
        storage.delete(name)
        raise
    filename = rush_filename(filename)
    rush = None
    if not Rush.objects.filter(session=session, sha256=sha256).exists():
        try:
            with transaction.atomic():
                rush = Rush.objects.create(
                    session=session, original=name, original_filename=filename, sha256=sha256,
                    size=size, uploaded_by=actor, checked_at_upload=checked,
                )
        except IntegrityError:
            pass  # two uploads of the same file raced: the other one stored it
    if rush is None:
        existing = Rush.objects.get(session=session, sha256=sha256)
        if existing.original.name != name:
            storage.delete(name)
        return AddedRush(existing, duplicate=True)
    if session.status == Status.BOOKED:
        _mark_shot(session, actor)
    if enqueue:
        enqueue_ingest(rush)
    return AddedRush(rush, duplicate=False)


def _mark_shot(session: PhotoSession, actor: User | None) -> None:
    """The first rush of a batch marks the session shot; the parallel uploads of the same
    batch find it done already, which is fine."""
    try:
        transition(session, Status.SHOT, actor=actor)
    except IllegalTransition:
        session.refresh_from_db(fields=["status", "status_changed_at"])
        if session.status != Status.SHOT:
            raise


def ingest_rush(rush_id: int) -> Rush | None:
    """Make the proof and the thumbnail of one rush; None when there was nothing to do. The
    work, the claim and what survives a dead worker are in booker.ingest."""
    return ingest.ingest_rush(rush_id)


def retry_rushes(rushes: Iterable[Rush], *, actor: User | None = None) -> int:
    """Queue failed rushes again, and pending ones whose task may have been lost (queuing a
    rush twice is harmless: the second task finds it claimed or ready and does nothing)."""
    count = 0
    for rush in rushes:
        if rush.ingest_status in (Ingest.FAILED, Ingest.PENDING):
            # A person's retry starts the count of attempts afresh (booker.ingest gives up on
            # a file after BOOKER_INGEST_MAX_ATTEMPTS dead workers).
            RUSH_INGEST.move_rows(Rush.objects.filter(pk=rush.pk), rush.ingest_status,
                                  Ingest.PENDING, attempts=0)
            enqueue_ingest(rush)
            count += 1
    return count


# --- More proofs after publication --------------------------------------------------------------


def new_proofs_quiet() -> timedelta:
    """How long a session's uploads and proofs must have been still before its new proofs are
    announced: a card of 50 RAWs arrives one file after another, and its client gets one
    email, not 50 (BOOKER_NEW_PROOFS_QUIET_SECONDS, 3 minutes unless set)."""
    return timedelta(seconds=getattr(settings, "BOOKER_NEW_PROOFS_QUIET_SECONDS", 180))


def unannounced_proofs(session: PhotoSession) -> list[int]:
    """The ready rushes the client got since the proofs went out (or the selection was
    reopened) that no `session.proofs_added` has announced yet."""
    since = session.status_changed_at
    announced: set[int] = set()
    for payload in SessionEvent.objects.filter(
        session=session, name=Event.PROOFS_ADDED, created_at__gte=since,
    ).values_list("payload", flat=True):
        announced.update(int(pk) for pk in (payload or {}).get("rushes", []))
    ready = session.rushes.filter(ingest_status=Ingest.READY, created_at__gt=since)
    return [pk for pk in ready.order_by("pk").values_list("pk", flat=True)
            if pk not in announced]


def announce_new_proofs(
    session: PhotoSession, *, now: datetime | None = None,
) -> SessionEvent | None:
    """Record one `session.proofs_added` for the batch of new proofs of a session the client
    is choosing in, once the batch has settled: no rush in flight, no upload nor rush newer
    than `new_proofs_quiet()`. None when there is nothing (yet) to announce.

    The session's row is locked, so two sweeps (or a sweep and a retry) announce a batch once."""
    now = now or timezone.now()
    quiet_since = now - new_proofs_quiet()
    with transaction.atomic():
        locked = PhotoSession.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None or locked.status != Status.PROOFING:
            return None
        rushes = locked.rushes.all()
        if rushes.filter(ingest_status__in=(Ingest.PENDING, Ingest.PROCESSING)).exists():
            return None
        if rushes.filter(created_at__gt=quiet_since).exists():
            return None
        if RushUpload.objects.filter(session=locked, state=RushUpload.State.UPLOADING,
                                     updated_at__gt=quiet_since).exists():
            return None
        new = unannounced_proofs(locked)
        if not new:
            return None
        return record(locked, Event.PROOFS_ADDED, actor=None, proofs=len(new), rushes=new)


def announce_settled_proofs(*, now: datetime | None = None) -> int:
    """Announce the settled batches of new proofs of every session being chosen in; run by
    the minute's sweep. Returns how many sessions were announced."""
    candidates = PhotoSession.objects.filter(
        status=Status.PROOFING, rushes__ingest_status=Ingest.READY,
        rushes__created_at__gt=F("status_changed_at"),
    ).distinct()
    return sum(1 for session in candidates if announce_new_proofs(session, now=now))
