from __future__ import annotations

import re
import struct
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import BinaryIO

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from booker import roles
from booker.errors import StudioError
from booker.events import Event, record
from booker.models import (
    FinalPhoto,
    FinalVersion,
    PhotoSession,
    RetouchJob,
    SelectionItem,
    User,
)
from booker.retouch.machine import move_job
from booker.sessions.access import approves_finals
from booker.sessions.approval import client_stage, finals_approval
from booker.sessions.machine import transition
from booker.storage import sha256_of

Status = PhotoSession.Status


JobStatus = RetouchJob.Status


@transaction.atomic
def start_retouching(
    session: PhotoSession, *, actor: User | None, due_date: date | None = None
) -> list[RetouchJob]:
    """One job per picked photo, carrying the client's comment as instructions."""
    items = SelectionItem.objects.filter(selection__session=session, picked=True).select_related(
        "rush"
    )
    jobs = [
        RetouchJob.objects.get_or_create(
            session=session, rush=item.rush,
            defaults={"instructions": item.comment, "due_date": due_date},
        )[0]
        for item in items
    ]
    transition(session, Status.RETOUCHING, actor=actor, jobs=len(jobs))
    return jobs


def assign_jobs(jobs: Iterable[RetouchJob], retoucher: User, *, actor: User | None) -> int:
    if not retoucher.groups.filter(name=roles.RETOUCHER).exists() and not retoucher.is_superuser:
        raise StudioError(_("%(person)s is not a retoucher.") % {"person": retoucher})
    ids = [j.pk for j in jobs]
    with transaction.atomic():
        handed = list(RetouchJob.objects.filter(pk__in=ids).exclude(status=JobStatus.DONE)
                      .exclude(assignee=retoucher).values_list("pk", "session_id"))
        count = RetouchJob.objects.filter(pk__in=ids).exclude(status=JobStatus.DONE).update(
            assignee=retoucher, updated_at=timezone.now()
        )
        # One event per session: the retoucher gets one email per session handed to them.
        by_session: dict[int, list[int]] = {}
        for pk, session_id in handed:
            by_session.setdefault(session_id, []).append(pk)
        for session_id, job_ids in by_session.items():
            record(PhotoSession(pk=session_id), Event.JOB_ASSIGNED, actor=actor,
                   jobs=job_ids, assignee=retoucher.pk)
    return count


_EDIT_SUFFIX = re.compile(r"^[-_ .]?(edit|edited|final|retouche|retouched|hd|copy|v\d+)?",
                          re.IGNORECASE)


def match_final(filename: str, jobs: Iterable[RetouchJob]) -> RetouchJob | None:
    """`IMG_0012-edit.jpg` belongs to the job of `IMG_0012.CR2`: the longest rush stem that
    starts the file's stem, followed by nothing or by a separator."""
    stem = PurePath(filename).stem.lower()
    best: RetouchJob | None = None
    for job in jobs:
        rush_stem = job.rush.stem.lower()
        if stem == rush_stem or (stem.startswith(rush_stem) and not stem[len(rush_stem)].isalnum()):
            if best is None or len(rush_stem) > len(best.rush.stem):
                best = job
    return best


@dataclass
class FinalsReport:
    matched: list[tuple[str, RetouchJob]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def upload_finals(
    files: Iterable[tuple[str, BinaryIO]], *, jobs: Iterable[RetouchJob], actor: User | None
) -> FinalsReport:
    """Attach each file to its job by filename stem. Unmatched files are listed, not lost."""
    jobs = list(jobs)
    report = FinalsReport()
    for filename, fileobj in files:
        job = match_final(filename, jobs)
        if job is None:
            report.unmatched.append(filename)
            continue
        if job.status == JobStatus.DONE:
            report.refused.append((filename, _("this photo is already approved")))
            continue
        reason = final_refusal(fileobj)
        if reason is not None:
            # Refused alone: the rest of the batch goes on, and the job does not move.
            report.refused.append((filename, reason))
            continue
        digest, size = sha256_of(fileobj)
        with transaction.atomic():
            final = (FinalPhoto.objects.select_for_update().filter(job=job).first()
                     or FinalPhoto(job=job))
            if final.pk:
                # The version it replaces is kept, file and all, with the review it got.
                FinalVersion.objects.create(
                    job=job, version=final.version, file=final.file.name,
                    original_filename=final.original_filename, size=final.size,
                    sha256=final.sha256, uploaded_by=final.uploaded_by,
                    uploaded_at=final.uploaded_at, review_note=job.review_note,
                    review_by_client=job.review_by_client)
                final.version += 1
            # A new key each time (the storage never overwrites: it picks a free name).
            final.file.save(filename, File(fileobj, name=filename), save=False)
            final.original_filename = PurePath(filename).name
            final.size, final.sha256 = size, digest
            final.width, final.height = _pixel_size(fileobj)
            final.uploaded_by, final.uploaded_at = actor, timezone.now()
            final.save()
            if job.status != JobStatus.IN_REVIEW:
                move_job(job, JobStatus.IN_REVIEW, actor=actor, note=filename)
        report.matched.append((filename, job))
    return report


FINAL_FORMATS = ("JPEG", "TIFF", "PNG")


def final_refusal(fileobj: BinaryIO) -> str | None:
    """Why a file cannot be a final (what the person who uploaded it reads), or None.

    A final is what the client downloads and prints: it must be a JPEG, TIFF or PNG picture
    that Pillow opens and verifies. Bounded work: Pillow refuses to open a picture of more
    than twice its MAX_IMAGE_PIXELS (its decompression-bomb guard, left at its default); a
    JPEG is decoded at 1/8 scale only (its draft), which reads every byte — enough to find a
    file cut short — for 1/64 of the pixels; a PNG's verify checks every chunk's CRC."""
    try:
        fileobj.seek(0)
        with warnings.catch_warnings():
            # Past MAX_IMAGE_PIXELS Pillow only warns (a 100 MP back is a real final); past
            # twice that it raises DecompressionBombError, refused below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fileobj, formats=FINAL_FORMATS) as img:
                img.verify()
            if img.format == "JPEG":
                fileobj.seek(0)
                with Image.open(fileobj, formats=("JPEG",)) as img:
                    img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
                    img.load()
    except Image.DecompressionBombError:
        return _("this picture has too many pixels to be opened safely.")
    except UnidentifiedImageError:
        return _("this file is not a JPEG, TIFF or PNG picture.")
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        return _("this image is damaged or incomplete: export it again.")
    finally:
        fileobj.seek(0)
    return None


def _pixel_size(fileobj: BinaryIO) -> tuple[int | None, int | None]:
    """Width and height as the picture is seen (EXIF rotation applied); only the header is
    read. (None, None) for a file Pillow cannot read: the size is a hint, not a rule."""
    try:
        fileobj.seek(0)
        with Image.open(fileobj) as img:
            width, height = img.size
            if img.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn
                width, height = height, width
            return width, height
    except (OSError, SyntaxError, ValueError):
        return None, None
    finally:
        fileobj.seek(0)


def final_pixel_size(final: FinalPhoto) -> tuple[int | None, int | None]:
    """The final's pixel size, read from its file (and kept) when it predates the columns."""
    if final.width and final.height:
        return final.width, final.height
    with final.file.open("rb") as handle:
        final.width, final.height = _pixel_size(handle)
    FinalPhoto.objects.filter(pk=final.pk).update(width=final.width, height=final.height)
    return final.width, final.height


def review_job(job: RetouchJob, *, approve: bool, actor: User | None, note: str = "") -> None:
    """The photographer's word on a final in review: approved (the job is done), or returned
    to the retoucher with what to change (said in `note`, required)."""
    note = note.strip()
    if approve:
        move_job(job, JobStatus.DONE, actor=actor, note=note)
        return
    if not note:
        raise StudioError(_("Say what to change: the retoucher reads it with the job."))
    with transaction.atomic():
        RetouchJob.objects.filter(pk=job.pk).update(review_note=note[:4000],
                                                    review_by_client=False)
        job.review_note, job.review_by_client = note[:4000], False
        move_job(job, JobStatus.CHANGES_REQUESTED, actor=actor, note=note[:500])


# --- The client's approval of the finals (a package that asks for it) -------------------------
# Each job remembers which version of its final the client was asked about and which they
# approved: a version replaced after a change request is neither, so it goes back through the
# studio's review and is sent again. Delivery waits for every final approved at its current
# version (booker.delivery.services.deliver).


def send_finals_for_approval(session: PhotoSession, *, actor: User | None) -> int:
    """The studio's "send to the client for approval": every final approved by the studio that
    the client has not seen at this version. Returns how many were sent."""
    with transaction.atomic():
        session = PhotoSession.objects.select_for_update().get(pk=session.pk)
        if not session.client_approves_finals:
            raise StudioError(_("This session is delivered without the client's approval."))
        if session.status != Status.RETOUCHING:
            raise StudioError(_("Only retouches in progress can be sent for approval."))
        jobs = list(RetouchJob.objects.select_for_update(of=("self",)).filter(session=session)
                    .select_related("final"))
        if not jobs:
            raise StudioError(_("There is nothing to send: no retouch job."))
        waiting = sum(1 for job in jobs if client_stage(job) in ("in_studio", "reworked"))
        if waiting:
            raise StudioError(_("Every retouch must be approved first."))
        sent = [job for job in jobs if client_stage(job) == "to_send"]
        if not sent:
            raise StudioError(_("The client already has every retouch to approve."))
        for job in sent:
            RetouchJob.objects.filter(pk=job.pk).update(client_asked_version=job.final.version)
        record(session, Event.FINALS_SENT_FOR_APPROVAL, actor=actor, photos=len(sent))
    return len(sent)


def _job_awaiting_client(session: PhotoSession, final_id: int) -> RetouchJob:
    job = (RetouchJob.objects.select_for_update(of=("self",)).filter(session=session,
                                                                     final__pk=final_id)
           .select_related("final", "rush").first())
    if job is None or client_stage(job) != "awaiting":
        raise StudioError(_("This photo is not waiting for your approval."))
    return job


def _check_approver(session: PhotoSession, user: User) -> None:
    if not approves_finals(user, session):
        raise StudioError(_("Only the client can approve the retouches."))


def _approved(session: PhotoSession, user: User, jobs: list[RetouchJob]) -> None:
    for job in jobs:
        RetouchJob.objects.filter(pk=job.pk).update(client_approved_version=job.final.version)
    approval = finals_approval(session)
    if approval.all_approved:
        record(session, Event.FINALS_CLIENT_APPROVED, actor=user, photos=approval.total)


def client_review_final(session: PhotoSession, final_id: int, *, user: User, approve: bool,
                        comment: str = "") -> RetouchJob:
    """The client's word on one final sent for approval: approved, or back to the retoucher
    with what to change (the client's comment becomes the job's review note, marked as
    theirs)."""
    _check_approver(session, user)
    comment = comment.strip()
    with transaction.atomic():
        job = _job_awaiting_client(session, final_id)
        if approve:
            _approved(session, user, [job])
            return job
        if not comment:
            raise StudioError(_("Say what to change: the retoucher reads your comment."))
        RetouchJob.objects.filter(pk=job.pk).update(review_note=comment[:4000],
                                                    review_by_client=True)
        job.review_note, job.review_by_client = comment[:4000], True
        move_job(job, JobStatus.CHANGES_REQUESTED, actor=user, note=comment[:500])
        record(session, Event.CLIENT_CHANGES_REQUESTED, actor=user, job=job.pk,
               rush=job.rush.original_filename, note=comment[:500])
    return job


def client_approve_all(session: PhotoSession, *, user: User) -> int:
    """The client approves every final waiting for them. Returns how many."""
    _check_approver(session, user)
    with transaction.atomic():
        jobs = [job for job in RetouchJob.objects.select_for_update(of=("self",))
                .filter(session=session).select_related("final")
                if client_stage(job) == "awaiting"]
        if not jobs:
            raise StudioError(_("No photo is waiting for your approval."))
        _approved(session, user, jobs)
    return len(jobs)
