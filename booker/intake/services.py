from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from booker.errors import IllegalTransition, StudioError
from booker.intake import ingest
from booker.intake.ingest import enqueue_ingest
from booker.intake.machine import RUSH_INGEST
from booker.intake.sitters import attribute_by_slot  # noqa: F401 -- a write of this package
from booker.models import (
    PhotoSession,
    Rush,
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


def check_takes_rushes(session: PhotoSession) -> None:
    """Rushes come in while the session is booked or shot; once the proofs are out, the
    client chooses among what is there."""
    if session.status not in (Status.BOOKED, Status.SHOT):
        raise StudioError(_("Rushes can be added before the proofs are published, not after."))


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
