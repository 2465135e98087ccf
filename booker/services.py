"""Writes to the studio's data. Views, admin, commands and tasks call these; nothing else
changes a session's or a job's state.

Every session status change goes through `transition()`, which refuses illegal moves and
records a `SessionEvent` (the domain event the CRM and the shop react to)."""

from __future__ import annotations

import logging
import re
import struct
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import BinaryIO

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import File
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

from . import roles
from .models import (
    Company,
    Delivery,
    DownloadLog,
    FinalPhoto,
    Membership,
    Package,
    PhotoSession,
    RetouchJob,
    Rush,
    Selection,
    SelectionItem,
    SessionEvent,
    User,
    normalise_email,
)
from .storage import sha256_of

log = logging.getLogger(__name__)

Status = PhotoSession.Status
JobStatus = RetouchJob.Status
Ingest = Rush.Ingest

PROOF_EDGE = 2048
THUMB_EDGE = 400


class StudioError(Exception):
    """A refused action, with a message for the person who tried it."""


class IllegalTransition(StudioError):
    pass


# --- People -------------------------------------------------------------------------------


@transaction.atomic
def assign_role(user: User, role: str, *, actor: User | None = None) -> None:
    """Put `user` in the role's group; back-office roles also need Django's staff flag.

    `actor` is the person asking (None for the system: migrations, seeds, commands): only a
    superuser grants a role."""
    if role not in roles.ALL_ROLES:
        raise ValueError(f"Unknown role {role!r}; roles are {', '.join(roles.ALL_ROLES)}.")
    if actor is not None and not roles.grants_rights(actor):
        raise StudioError(_("Only an administrator can give a role."))
    user.groups.add(Group.objects.get(name=role))
    if role in roles.STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def ensure_user(email: str, *, password: str | None = None, **fields) -> tuple[User, bool]:
    """The account for `email` (any case), created with `fields` and `password` if new.

    An existing account is left as it is, so running a seed twice changes nothing."""
    user = User.objects.filter(email__iexact=normalise_email(email)).first()
    if user is not None:
        return user, False
    return User.objects.create_user(email, password, **fields), True


def invite_client(
    email: str,
    *,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    invited_by: User | None = None,
) -> User:
    """Open a client's account and email them a link to choose their password.

    The studio never types a client's password: the account starts with an unusable one and
    the link is Django's password-reset token (valid `PASSWORD_RESET_TIMEOUT`, dead once a
    password is set), leading to the one login's "choose a password" page. The invitation
    with resend and revoke will grow here."""
    if User.objects.filter(email__iexact=normalise_email(email)).exists():
        raise StudioError(_("An account already exists for this email address."))
    with transaction.atomic():
        user = User.objects.create_user(
            email, None, first_name=first_name, last_name=last_name, phone=phone
        )
        log.info("client %s invited by %s", user.pk, getattr(invited_by, "pk", None))
        transaction.on_commit(lambda: send_invitation(user, invited_by=invited_by))
    return user


def send_invitation(user: User, *, invited_by: User | None = None) -> None:
    """The email inviting `user` to choose a password (text and HTML, French)."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "invited_by": invited_by,
        "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        "login": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("login"),
    }
    subject = render_to_string("booker/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        render_to_string("booker/email/invitation.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("booker/email/invitation.html", context), "text/html"
    )
    message.send()


@transaction.atomic
def add_member(company: Company, user: User, role: str = Membership.Role.MEMBER) -> Membership:
    membership, created = Membership.objects.get_or_create(
        company=company, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


# --- Sessions and their states ------------------------------------------------------------

SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.BOOKED: frozenset({Status.SHOT, Status.CANCELLED}),
    Status.SHOT: frozenset({Status.PROOFING, Status.CANCELLED}),
    Status.PROOFING: frozenset(
        {Status.SELECTION_SUBMITTED, Status.AWAITING_PAYMENT, Status.CANCELLED}
    ),
    # Extras ordered through the shop: on to the studio once paid (`extras_paid`), or back to
    # proofing when the photographer reopens the selection.
    Status.AWAITING_PAYMENT: frozenset(
        {Status.SELECTION_SUBMITTED, Status.PROOFING, Status.CANCELLED}
    ),
    # Back to proofing is the photographer's `reopen_selection`.
    Status.SELECTION_SUBMITTED: frozenset({Status.RETOUCHING, Status.PROOFING, Status.CANCELLED}),
    Status.RETOUCHING: frozenset({Status.DELIVERED}),
    Status.DELIVERED: frozenset({Status.ARCHIVED}),
    # The originals' trip to the archive tier and back (booker/archive.py): a restored
    # session is delivered again.
    Status.ARCHIVED: frozenset({Status.RESTORING}),
    Status.RESTORING: frozenset({Status.DELIVERED}),
    Status.CANCELLED: frozenset(),
}


def transition(
    session: PhotoSession,
    to: str,
    *,
    actor: User | None,
    event: str | None = None,
    **payload,
) -> SessionEvent:
    """Move `session` to status `to`, or raise IllegalTransition. Records who and when."""
    with transaction.atomic():
        locked = PhotoSession.objects.select_for_update().get(pk=session.pk)
        if to not in SESSION_TRANSITIONS[locked.status]:
            raise IllegalTransition(
                _("A session cannot go from “%(from)s” to “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Status(to).label}
            )
        now = timezone.now()
        from_status = locked.status
        PhotoSession.objects.filter(pk=session.pk).update(status=to, status_changed_at=now)
        session.status, session.status_changed_at = to, now
        return SessionEvent.objects.create(
            session=session,
            name=event or f"session.{to}",
            from_status=from_status,
            to_status=to,
            actor=actor,
            payload=payload,
            created_at=now,
        )


def record_event(session: PhotoSession, name: str, *, actor: User | None, **payload) -> None:
    """A domain event that is not a status change (a rush failed, a download…)."""
    SessionEvent.objects.create(session=session, name=name, actor=actor, payload=payload)


def create_session(
    *,
    title: str,
    client: User | None = None,
    company: Company | None = None,
    package: Package | None = None,
    photographer: User | None = None,
    actor: User | None = None,
    **fields,
) -> PhotoSession:
    if (client is None) == (company is None):
        raise StudioError(_("A session belongs to a client or to a company (one of the two)."))
    terms = {}
    if package is not None:
        terms = {
            "quota": package.photos_included,
            "extra_photo_price": package.extra_photo_price,
            "delivery_formats": package.delivery_formats,
        }
    with transaction.atomic():
        session = PhotoSession.objects.create(
            title=title, client=client, company=company, package=package,
            photographer=photographer, **{**terms, **fields},
        )
        record_event(session, "session.booked", actor=actor)
    return session


def cancel_session(session: PhotoSession, *, actor: User | None, reason: str = "") -> None:
    transition(session, Status.CANCELLED, actor=actor, reason=reason)


# --- Rushes and their ingest ----------------------------------------------------------------


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


def enqueue_ingest(rush: Rush) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "booker.tasks.ingest_rush", rush.pk, task_name=f"ingest-rush-{rush.pk}",
            group=f"session-{rush.session_id}",
            # Shorter than the claim's lease (booker.ingest): a rush whose lease ran out has
            # no live worker left.
            timeout=settings.BOOKER_INGEST_TIMEOUT_SECONDS,
        )
    )


def ingest_rush(rush_id: int) -> Rush | None:
    """Make the proof and the thumbnail of one rush; None when there was nothing to do. The
    work, the claim and what survives a dead worker are in booker.ingest."""
    from . import ingest

    return ingest.ingest_rush(rush_id)


def retry_rushes(rushes: Iterable[Rush], *, actor: User | None = None) -> int:
    """Queue failed rushes again, and pending ones whose task may have been lost (queuing a
    rush twice is harmless: the second task finds it claimed or ready and does nothing)."""
    count = 0
    for rush in rushes:
        if rush.ingest_status in (Ingest.FAILED, Ingest.PENDING):
            # A person's retry starts the count of attempts afresh (booker.ingest gives up on
            # a file after BOOKER_INGEST_MAX_ATTEMPTS dead workers).
            Rush.objects.filter(pk=rush.pk).update(ingest_status=Ingest.PENDING, attempts=0)
            enqueue_ingest(rush)
            count += 1
    return count


def publish_proofs(session: PhotoSession, *, actor: User | None) -> SessionEvent:
    """Show the proofs to the client. Every rush must be ready or failed (nothing in flight)."""
    counts = {s: 0 for s in Ingest.values}
    for status in session.rushes.values_list("ingest_status", flat=True):
        counts[status] += 1
    if counts[Ingest.READY] == 0:
        raise StudioError(_("There is no ready proof to publish yet."))
    if counts[Ingest.PENDING] or counts[Ingest.PROCESSING]:
        in_flight = counts[Ingest.PENDING] + counts[Ingest.PROCESSING]
        raise StudioError(
            ngettext(
                "%(count)d rush is still being processed; publish when it is done.",
                "%(count)d rushes are still being processed; publish when they are done.",
                in_flight,
            )
            % {"count": in_flight}
        )
    with transaction.atomic():
        Selection.objects.get_or_create(session=session)
        return transition(session, Status.PROOFING, actor=actor, proofs=counts[Ingest.READY],
                          failed=counts[Ingest.FAILED])


# --- The client's selection -----------------------------------------------------------------


def _open_selection(session: PhotoSession) -> Selection:
    """The selection row, locked for this transaction: picks of one session are serialised
    so two tabs (or two clicks) can never pass the quota together."""
    Selection.objects.get_or_create(session=session)
    selection = Selection.objects.select_for_update().get(session=session)
    status = PhotoSession.objects.values_list("status", flat=True).get(pk=session.pk)
    if status != Status.PROOFING or selection.is_locked:
        raise StudioError(_("This selection is submitted: it can no longer be changed."))
    return selection


def _ready_rush(session: PhotoSession, rush_id: int) -> Rush:
    try:
        return session.rushes.get(pk=rush_id, ingest_status=Ingest.READY)
    except Rush.DoesNotExist as exc:
        raise StudioError(_("This photo is not part of the session.")) from exc


@transaction.atomic
def set_pick(session: PhotoSession, rush_id: int, picked: bool, *, user: User) -> SelectionItem:
    """Pick or unpick one photo. Idempotent: the same request twice leaves the same state."""
    selection = _open_selection(session)
    rush = _ready_rush(session, rush_id)
    item, _created = SelectionItem.objects.get_or_create(selection=selection, rush=rush)
    if item.picked == picked:
        return item
    if picked and not session.sells_extras:
        count = selection.items.filter(picked=True).count()
        if count >= session.quota:
            raise StudioError(
                ngettext(
                    "Your package includes %(quota)d photo and you have picked %(count)d. "
                    "Unpick one to choose this one.",
                    "Your package includes %(quota)d photos and you have picked %(count)d. "
                    "Unpick one to choose this one.",
                    session.quota,
                )
                % {"quota": session.quota, "count": count}
            )
    item.picked = picked
    item.save(update_fields=["picked", "updated_at"])
    return item


@transaction.atomic
def set_comment(session: PhotoSession, rush_id: int, comment: str, *, user: User) -> SelectionItem:
    selection = _open_selection(session)
    rush = _ready_rush(session, rush_id)
    item, _created = SelectionItem.objects.get_or_create(selection=selection, rush=rush)
    item.comment = comment.strip()[:2000]
    item.save(update_fields=["comment", "updated_at"])
    return item


@transaction.atomic
def submit_selection(session: PhotoSession, *, user: User) -> SessionEvent:
    """Lock the client's picks. Picks beyond the package, when it sells extras, are paid
    through the shop: the selection then waits for `extras_paid` before the studio sees it."""
    selection = _open_selection(session)
    picked = selection.items.filter(picked=True).count()
    if picked == 0:
        raise StudioError(_("Pick at least one photo before you submit your selection."))
    if picked > session.quota and not session.sells_extras:
        # set_pick already refuses this; a package changed since the picks still must not
        # slip extras through for free.
        extra = picked - session.quota
        raise StudioError(
            ngettext(
                "You picked %(picked)d photos and your package includes %(quota)d: "
                "unpick %(extra)d or contact the studio to add it.",
                "You picked %(picked)d photos and your package includes %(quota)d: "
                "unpick %(extra)d or contact the studio to add them.",
                extra,
            )
            % {"picked": picked, "quota": session.quota, "extra": extra}
        )
    selection.submitted_at = timezone.now()
    selection.submitted_by = user
    selection.save(update_fields=["submitted_at", "submitted_by"])
    if picked > session.quota:
        from .selectors import extra_picks

        extras = extra_picks(session)
        return transition(
            session, Status.AWAITING_PAYMENT, actor=user, picked=picked, extras=extras,
            unit_price=str(session.extra_photo_price),
        )
    return transition(session, Status.SELECTION_SUBMITTED, actor=user, picked=picked)


@transaction.atomic
def extras_paid(
    session: PhotoSession, rush_ids: Iterable[int], *, actor: User | None, reference: str
) -> SessionEvent | None:
    """The shop was paid for the extra photos `rush_ids` (order `reference`): the selection
    goes to the studio. Idempotent per reference. A payment that no longer matches the
    selection (reopened, changed) moves nothing: it is recorded for the studio to settle."""
    locked = PhotoSession.objects.select_for_update().get(pk=session.pk)
    paid = sorted({int(pk) for pk in rush_ids})
    done = SessionEvent.objects.filter(session=locked, name__in=EXTRAS_PAID_EVENTS)
    if any(e.payload.get("reference") == reference for e in done):
        return None
    picked = set(
        SelectionItem.objects.filter(selection__session=locked, picked=True)
        .values_list("rush_id", flat=True)
    )
    owed = len(picked) - locked.quota
    if locked.status != Status.AWAITING_PAYMENT or not set(paid) <= picked or len(paid) < owed:
        SessionEvent.objects.create(
            session=locked, name="session.extras_paid_unmatched", actor=actor,
            payload={"reference": reference, "rushes": paid, "status": locked.status},
        )
        log.warning("Extras paid by %s do not match session %s", reference, locked.pk)
        return None
    event = transition(
        locked, Status.SELECTION_SUBMITTED, actor=actor, event="session.extras_paid",
        reference=reference, rushes=paid, picked=len(picked),
    )
    session.status, session.status_changed_at = locked.status, locked.status_changed_at
    return event


EXTRAS_PAID_EVENTS = ("session.extras_paid", "session.extras_paid_unmatched")


@transaction.atomic
def reopen_selection(session: PhotoSession, *, actor: User | None) -> SessionEvent:
    Selection.objects.filter(session=session).update(submitted_at=None, submitted_by=None)
    return transition(session, Status.PROOFING, actor=actor, event="session.selection_reopened")


# --- Retouching -------------------------------------------------------------------------------

JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.TODO: frozenset({JobStatus.IN_PROGRESS, JobStatus.IN_REVIEW}),
    JobStatus.IN_PROGRESS: frozenset({JobStatus.IN_REVIEW, JobStatus.TODO}),
    JobStatus.IN_REVIEW: frozenset({JobStatus.DONE, JobStatus.CHANGES_REQUESTED}),
    JobStatus.CHANGES_REQUESTED: frozenset({JobStatus.IN_PROGRESS, JobStatus.IN_REVIEW}),
    JobStatus.DONE: frozenset({JobStatus.CHANGES_REQUESTED}),
}


def move_job(job: RetouchJob, to: str, *, actor: User | None, note: str = "") -> None:
    """The one place a retouch job changes status."""
    with transaction.atomic():
        locked = RetouchJob.objects.select_for_update().get(pk=job.pk)
        if to == locked.status:
            return
        if to not in JOB_TRANSITIONS[locked.status]:
            raise IllegalTransition(
                _("A retouch cannot go from “%(from)s” to “%(to)s”.")
                % {"from": locked.get_status_display(), "to": JobStatus(to).label}
            )
        RetouchJob.objects.filter(pk=job.pk).update(status=to, updated_at=timezone.now())
        record_event(job.session, f"retouch.{to}", actor=actor, job=job.pk,
                     rush=job.rush.original_filename, note=note)
        job.status = to


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
    return RetouchJob.objects.filter(pk__in=ids).exclude(status=JobStatus.DONE).update(
        assignee=retoucher, updated_at=timezone.now()
    )


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
            final = FinalPhoto.objects.filter(job=job).first() or FinalPhoto(job=job)
            old_name = final.file.name if final.pk else None
            final.file.save(filename, File(fileobj, name=filename), save=False)
            final.original_filename = PurePath(filename).name
            final.size, final.sha256 = size, digest
            final.width, final.height = _pixel_size(fileobj)
            final.uploaded_by, final.uploaded_at = actor, timezone.now()
            final.save()
            if job.status != JobStatus.IN_REVIEW:
                move_job(job, JobStatus.IN_REVIEW, actor=actor, note=filename)
        if old_name and old_name != final.file.name:
            final.file.storage.delete(old_name)
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


@transaction.atomic
def deliver(session: PhotoSession, *, actor: User | None, message: str = "") -> Delivery:
    jobs = list(session.retouch_jobs.values_list("status", flat=True))
    if not jobs:
        raise StudioError(_("There is nothing to deliver: no retouch job."))
    waiting = sum(1 for s in jobs if s != JobStatus.DONE)
    if waiting:
        raise StudioError(
            ngettext(
                "%(waiting)d of %(total)d retouches is not approved yet.",
                "%(waiting)d of %(total)d retouches are not approved yet.",
                waiting,
            )
            % {"waiting": waiting, "total": len(jobs)}
        )
    delivery, _created = Delivery.objects.get_or_create(
        session=session, defaults={"delivered_by": actor, "message": message}
    )
    transition(session, Status.DELIVERED, actor=actor, photos=len(jobs))
    return delivery


def log_download(
    delivery: Delivery,
    *,
    user: User,
    final: FinalPhoto | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> DownloadLog:
    return DownloadLog.objects.create(
        delivery=delivery, final=final, user=user, ip_address=ip_address,
        user_agent=user_agent[:255],
    )


# --- CRM (leads, newsletter consent): written in booker/crm.py, offered here with the rest. --

from .crm import (  # noqa: E402, F401
    InvalidToken,
    TooManyRequests,
    check_rate,
    confirm_consent,
    one_click_unsubscribe_headers,
    record_lead,
    request_newsletter_consent,
    withdraw_consent,
)
