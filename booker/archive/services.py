"""The archive tier ("en ligne / hors ligne"): the originals of a session delivered long ago
leave the online storage for the `archive` storage (S3 GLACIER / DEEP_ARCHIVE, or an
`archive/` folder locally), and come back when the photographer asks.

The one promise: an original leaves the online storage only once a copy of it is in the
archive and that copy's SHA-256 equals the one recorded when the rush was uploaded. The
order is always copy → verify → mark the rush archived → delete the online file; a copy that
fails or does not match leaves the original where it was and records `archive.failed`. The
`originals` and `archive` storages themselves refuse deletes that would break this (see
booker.storage.OriginalsAlias).

Proofs and finals never move: clients keep seeing and downloading them. Only `Rush.original`
has two tiers; its name is the same in both storages.

On S3 the bytes never pass through the application: CopyObject with
`ChecksumAlgorithm=SHA256` makes S3 compute the copy's SHA-256 as it writes it, and HeadObject
(`ChecksumMode=ENABLED`) reads it back for the comparison. Originals over
BOOKER_ARCHIVE_SINGLE_COPY_MAX (CopyObject stops at 5 GB) are copied in the parts they were
uploaded in and verified by S3's checksum of those parts (see S3Tiers._copy_in_parts).
Locally (or any other storage) the file is copied by streaming and the copy is read back in
full to hash it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from booker import schedules
from booker.archive.machine import ORIGINAL_TIER
from booker.errors import IllegalTransition, StudioError
from booker.events import Event
from booker.intake.uploads import composite_checksum
from booker.models import PhotoSession, Rush, RushUpload, SessionEvent, User
from booker.sessions.machine import transition
from booker.sessions.services import record_event
from booker.storage import archive_storage, iter_chunks, originals_storage

log = logging.getLogger(__name__)

Status = PhotoSession.Status
Tier = Rush.Tier

# S3 storage classes whose objects cannot be read (GET, CopyObject) before a restore.
COLD_STORAGE_CLASSES = frozenset({"GLACIER", "DEEP_ARCHIVE"})
# django-q2 schedules, found again by name.
ARCHIVE_SCHEDULE = schedules.ARCHIVE_DUE_SESSIONS.name
RESTORE_CHECK_SCHEDULE = schedules.RESTORE_CHECKS.name
RESTORE_CHECK_MINUTES = schedules.RESTORE_CHECKS.minutes
# After this many failures in a row the archive storage itself is probably unreachable:
# stop rather than record the same failure for each of 3,000 rushes.
MAX_FAILURES_IN_A_ROW = 3


class CopyFailed(Exception):
    """A copy between the tiers did not happen, or does not match the original."""


# --- Moving bytes between the tiers -----------------------------------------------------------


@dataclass(frozen=True)
class Original:
    """One rush's original as the tiers see it: its name (the same in both storages), and
    what a faithful copy of it must show."""

    name: str
    size: int
    sha256: str  # of the whole file, recorded at upload
    # The parts it was uploaded to S3 in, when it was: their size and base64 SHA-256s, computed
    # by the browser along with `sha256`, each checked by S3 against the bytes it stored, and
    # checked together at complete (booker.uploads._complete_s3). Empty otherwise.
    part_size: int = 0
    part_checksums: tuple[str, ...] = ()

    @classmethod
    def of(cls, rush: Rush) -> Original:
        upload = (RushUpload.objects.filter(rush_id=rush.pk, state=RushUpload.State.COMPLETE)
                  .values("size", "part_size", "part_checksums").first())
        parts: tuple[str, ...] = ()
        part_size = 0
        if upload and upload["size"] == rush.size and upload["part_size"] > 0:
            checksums = upload["part_checksums"]
            # The parts must tile the file exactly, or they describe some other file.
            if (isinstance(checksums, list)
                    and len(checksums) == max(1, math.ceil(rush.size / upload["part_size"]))):
                parts, part_size = tuple(str(c) for c in checksums), upload["part_size"]
        return cls(name=rush.original.name, size=rush.size, sha256=rush.sha256,
                   part_size=part_size, part_checksums=parts)


class CopyState(Enum):
    READABLE = "readable"  # can be copied back now
    RESTORING = "restoring"  # S3 is restoring it (hours)
    COLD = "cold"  # in a cold class, no restore asked (or the restored copy expired)
    MISSING = "missing"


class Tiers(Protocol):
    """What the archive needs from a pair of storages (online originals, archive).

    A fingerprint is what a tier can tell of a stored file without the application reading
    it; `expected` is the fingerprint of a faithful copy of the original (raising CopyFailed
    when none can be checked), the `*_fingerprint` methods that of the file in a tier (None:
    no file there)."""

    def expected(self, original: Original) -> str: ...
    def archived_fingerprint(self, original: Original) -> str | None: ...
    def online_fingerprint(self, original: Original) -> str | None: ...
    def copy_to_archive(self, original: Original) -> None: ...
    def copy_back(self, original: Original) -> None: ...
    def discard_archived(self, name: str) -> None: ...
    def discard_online(self, name: str) -> None: ...
    def archived_state(self, name: str) -> CopyState: ...
    def request_restore(self, name: str) -> None: ...


def _sha256_by_reading(storage: Storage, name: str) -> str | None:
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    for chunk in iter_chunks(storage, name, 1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


class StreamedTiers:
    """Any two Django storages (the local disk): copies stream through the process and are
    verified by reading the copy back in full."""

    def __init__(self, online: Storage, archive: Storage):
        self.online, self.archive = online, archive

    def expected(self, original: Original) -> str:
        return original.sha256

    def archived_fingerprint(self, original: Original) -> str | None:
        return _sha256_by_reading(self.archive, original.name)

    def online_fingerprint(self, original: Original) -> str | None:
        return _sha256_by_reading(self.online, original.name)

    def _copy(self, source: Storage, target: Storage, name: str) -> None:
        with source.open(name, "rb") as handle:
            saved = target.save(name, File(handle, name=name))
        if saved != name:
            # The storage found the name taken (another worker's copy in the same instant)
            # and chose another: this duplicate is ours alone and nobody's original.
            target.delete(saved)
            raise CopyFailed(f"another copy appeared under {name} meanwhile; try again")

    def copy_to_archive(self, original: Original) -> None:
        self._copy(self.online, self.archive, original.name)

    def copy_back(self, original: Original) -> None:
        self._copy(self.archive, self.online, original.name)

    def discard_archived(self, name: str) -> None:
        self.archive.delete(name)

    def discard_online(self, name: str) -> None:
        self.online.delete(name)

    def archived_state(self, name: str) -> CopyState:
        return CopyState.READABLE if self.archive.exists(name) else CopyState.MISSING

    def request_restore(self, name: str) -> None:
        """A disk needs no restore."""


def _s3_error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Tiers:
    """Both storages on S3: server-side copies, checksums computed by S3 on the bytes it
    stores (CopyObject `ChecksumAlgorithm=SHA256`, read back by HeadObject); in parts for the
    originals CopyObject cannot take."""

    def __init__(self, online: S3Storage, archive: S3Storage):
        self.online, self.archive = online, archive
        self.client = archive.connection.meta.client

    @staticmethod
    def _where(storage: S3Storage, name: str) -> dict[str, str]:
        return {"Bucket": storage.bucket_name, "Key": storage._normalize_name(clean_name(name))}

    def _head(self, storage: S3Storage, name: str) -> dict | None:
        try:
            return self.client.head_object(**self._where(storage, name), ChecksumMode="ENABLED")
        except ClientError as exc:
            if _s3_error_code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    @staticmethod
    def _in_parts(original: Original) -> bool:
        return original.size > settings.BOOKER_ARCHIVE_SINGLE_COPY_MAX

    def expected(self, original: Original) -> str:
        if not self._in_parts(original):
            return original.sha256
        if not original.part_checksums:
            # Its whole-file SHA-256 is all we have, and S3 keeps none for a file this big (it
            # was necessarily uploaded in parts): only reading it back could check a copy.
            raise CopyFailed(_(
                "This file is larger than %(limit)s and its part fingerprints were not "
                "recorded when it was uploaded: S3 cannot verify a copy of it, so it stays "
                "online."
            ) % {"limit": filesizeformat(settings.BOOKER_ARCHIVE_SINGLE_COPY_MAX)})
        return f"{composite_checksum(list(original.part_checksums))}-{len(original.part_checksums)}"

    @staticmethod
    def _sha256_of(head: dict | None) -> str | None:
        if head is None:
            return None
        checksum = head.get("ChecksumSHA256") or ""
        # No checksum (an object written without one), or a multipart object's checksum of
        # checksums ("…-3"): neither says anything about the whole file. "" never matches.
        if not checksum or "-" in checksum:
            return ""
        try:
            return base64.b64decode(checksum).hex()
        except (binascii.Error, ValueError):
            return ""

    @staticmethod
    def _composite_of(head: dict | None, original: Original) -> str | None:
        """S3's checksum of the object's parts, as `expected` writes it ("…-N")."""
        if head is None:
            return None
        checksum, _dash, count = str(head.get("ChecksumSHA256") or "").partition("-")
        if not checksum or head.get("ChecksumType", "COMPOSITE") != "COMPOSITE":
            return ""
        # S3 appends the part count; moto does not. The checksum commits to the count anyway:
        # it hashes 32 bytes per part.
        return f"{checksum}-{count or len(original.part_checksums)}"

    def _fingerprint(self, storage: S3Storage, original: Original) -> str | None:
        head = self._head(storage, original.name)
        if self._in_parts(original):
            return self._composite_of(head, original)
        return self._sha256_of(head)

    def archived_fingerprint(self, original: Original) -> str | None:
        return self._fingerprint(self.archive, original)

    def online_fingerprint(self, original: Original) -> str | None:
        return self._fingerprint(self.online, original)

    def _copy(self, source: S3Storage, target: S3Storage, original: Original) -> None:
        storage_class = (target.object_parameters or {}).get("StorageClass", "STANDARD")
        if self._in_parts(original):
            self._copy_in_parts(source, target, original, storage_class)
            return
        # One CopyObject (up to 5 GB): S3 computes the SHA-256 of the whole copy.
        self.client.copy_object(
            **self._where(target, original.name),
            CopySource=self._where(source, original.name),
            ChecksumAlgorithm="SHA256",
            StorageClass=storage_class,
            MetadataDirective="COPY",
        )

    def _copy_in_parts(self, source: S3Storage, target: S3Storage, original: Original,
                       storage_class: str) -> None:
        """A multipart copy (UploadPartCopy) cut exactly where the upload was cut.

        Why this verifies the copy: a multipart upload created with SHA256 makes S3 compute
        the SHA-256 of each part from the bytes it writes, and the object's checksum is the
        SHA-256 of those digests. With the copy's parts on the upload's boundaries, that
        checksum equals `composite_checksum(part_checksums)` exactly when every part of the
        copy has the SHA-256 the browser computed on the photographer's file, which S3 already
        checked against the uploaded bytes. That is the same chain of trust as the whole-file
        SHA-256 of the small files (both come from the browser with the file), with no byte
        read by the application. Comparing the copy with the source object instead would
        prove only that it copies whatever is online now. Without recorded parts there is
        nothing to compare with: `expected` refuses and the original stays online.

        Any failure aborts the multipart upload, so no orphan parts stay behind (billed, and
        invisible in a listing)."""
        name, count = original.name, len(original.part_checksums)
        source_head = self._head(source, name)
        if source_head is None:
            raise FileNotFoundError(name)
        if source_head.get("ContentLength") != original.size:
            raise CopyFailed(_(
                "The file to copy has %(found)d bytes instead of %(size)d: it is not the "
                "uploaded original. Nothing was copied."
            ) % {"found": source_head.get("ContentLength") or 0, "size": original.size})
        target_where = self._where(target, name)
        content_type = source_head.get("ContentType")
        extra = {"ContentType": content_type} if content_type else {}
        upload_id = self.client.create_multipart_upload(
            **target_where, ChecksumAlgorithm="SHA256", StorageClass=storage_class,
            Metadata=source_head.get("Metadata") or {}, **extra,
        )["UploadId"]
        try:
            parts = []
            for number in range(1, count + 1):
                first = (number - 1) * original.part_size
                last = min(original.size, first + original.part_size) - 1
                result = self.client.upload_part_copy(
                    **target_where, UploadId=upload_id, PartNumber=number,
                    CopySource=self._where(source, name), CopySourceRange=f"bytes={first}-{last}",
                    # The source must not change between its parts.
                    CopySourceIfMatch=source_head["ETag"],
                )["CopyPartResult"]
                wanted = original.part_checksums[number - 1]
                # S3 returns each part's SHA-256 (moto does not): a bad part stops the copy
                # here rather than after the whole file.
                got = result.get("ChecksumSHA256")
                if got and got != wanted:
                    raise CopyFailed(_(
                        "Part %(number)d of %(count)d of the copy does not match the original "
                        "(sha256 %(got)s instead of %(wanted)s)."
                    ) % {"number": number, "count": count, "got": got, "wanted": wanted})
                parts.append({"PartNumber": number, "ETag": result["ETag"],
                              "ChecksumSHA256": got or wanted})
            self.client.complete_multipart_upload(
                **target_where, UploadId=upload_id, MultipartUpload={"Parts": parts},
            )
        except BaseException:
            try:
                self.client.abort_multipart_upload(**target_where, UploadId=upload_id)
            except (ClientError, BotoCoreError):
                # A bucket lifecycle rule (AbortIncompleteMultipartUpload) is the safety net.
                log.warning("could not abort the multipart copy of %s (%s)", name, upload_id,
                            exc_info=True)
            raise

    def copy_to_archive(self, original: Original) -> None:
        self._copy(self.online, self.archive, original)

    def copy_back(self, original: Original) -> None:
        self._copy(self.archive, self.online, original)

    def discard_archived(self, name: str) -> None:
        """CopyObject replaces a bad copy: nothing to delete first."""

    def discard_online(self, name: str) -> None:
        """Same."""

    def archived_state(self, name: str) -> CopyState:
        head = self._head(self.archive, name)
        if head is None:
            return CopyState.MISSING
        if head.get("StorageClass", "STANDARD") not in COLD_STORAGE_CLASSES:
            return CopyState.READABLE  # GLACIER_IR and warmer classes read at once
        restore = head.get("Restore")
        if not restore:
            return CopyState.COLD
        if 'ongoing-request="true"' in restore:
            return CopyState.RESTORING
        return CopyState.READABLE

    def request_restore(self, name: str) -> None:
        try:
            self.client.restore_object(
                **self._where(self.archive, name),
                RestoreRequest={
                    "Days": settings.BOOKER_RESTORE_DAYS,
                    "GlacierJobParameters": {"Tier": settings.BOOKER_RESTORE_TIER},
                },
            )
        except ClientError as exc:
            if _s3_error_code(exc) != "RestoreAlreadyInProgress":
                raise


def tiers() -> Tiers:
    online, archive = originals_storage(), archive_storage()
    if isinstance(online, S3Storage) and isinstance(archive, S3Storage):
        return S3Tiers(online, archive)
    return StreamedTiers(online, archive)


def _reason(exc: Exception) -> str:
    """Why a copy failed, in words the photographer can pass on."""
    if isinstance(exc, CopyFailed):
        return str(exc)
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"S3 refused: {error.get('Code', '?')} ({error.get('Message', '')})"[:250]
    if isinstance(exc, FileNotFoundError):
        return "the file is missing from storage"
    if isinstance(exc, (OSError, BotoCoreError)):
        return f"{type(exc).__name__}: {exc}"[:250]
    return f"unexpected error ({type(exc).__name__})"


# --- Archiving -----------------------------------------------------------------------------------


@dataclass
class ArchiveReport:
    session: PhotoSession
    archived: int = 0  # copied, verified, removed from the online storage
    reused: int = 0  # an earlier verified archived copy was found and kept
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    stopped: bool = False  # too many failures in a row: the rest was not tried
    unfinished: bool = False  # its time ran out: the rest waits for the next run

    @property
    def complete(self) -> bool:
        return self.session.status == Status.ARCHIVED


def _online_originals(session: PhotoSession):
    return session.rushes.filter(original_tier=Tier.ONLINE).exclude(original="")


def _copy_verified(original: Original, expected: str, *, found: str | None, discard, copy,
                   fingerprint, what: str) -> None:
    """Copy `original` across the tiers and check the copy's fingerprint, or raise CopyFailed.
    `found` is the fingerprint of what already stands at the destination (None: nothing)."""
    if found is not None:
        discard(original.name)
    copy(original)
    got = fingerprint(original)
    if got != expected:
        raise CopyFailed(
            f"{what} does not match the original (sha256 {got or 'none'} instead of {expected})"
        )


def _archive_one(rush: Rush, where: Tiers, now: datetime) -> bool:
    """Archive one original; True if an earlier archived copy was reused. Raises (and leaves
    the original online) unless the archived copy is verified."""
    original = Original.of(rush)
    name = original.name
    expected = where.expected(original)
    archived = where.archived_fingerprint(original)
    reused = archived == expected
    if not reused:
        # An interrupted or bad earlier copy is discarded first: the original is still online,
        # so that archived file is nobody's only copy.
        _copy_verified(original, expected, found=archived, discard=where.discard_archived,
                       copy=where.copy_to_archive, fingerprint=where.archived_fingerprint,
                       what="the archived copy")
    # Verified: only now may the original leave the online tier. The row says so before the
    # file goes, so a crash in between leaves an extra online copy, never a missing one; the
    # run that finishes the session removes such copies (_remove_leftover_online_copies).
    ORIGINAL_TIER.move_rows(
        Rush.objects.filter(pk=rush.pk), Tier.ONLINE, Tier.ARCHIVE, archive_verified_at=now
    )
    try:
        originals_storage().delete(name)
    except (OSError, ClientError, BotoCoreError):
        log.warning("archived %s but could not remove its online copy", name, exc_info=True)
    return reused


def _remove_leftover_online_copies(session: PhotoSession) -> int:
    """Delete the online copies of this session's archived originals that a run stopped
    before deleting (a worker killed between marking the rush archived and the delete, or a
    delete that failed). One listing per folder rather than a request per rush: a wedding is
    thousands of originals. Returns how many are still there (their delete failed again)."""
    names_by_folder: dict[str, set[str]] = {}
    archived = session.rushes.filter(
        original_tier=Tier.ARCHIVE, archive_verified_at__isnull=False
    ).exclude(original="")
    for name in archived.values_list("original", flat=True).iterator():
        folder, _slash, _base = name.rpartition("/")
        names_by_folder.setdefault(folder, set()).add(name)
    storage, left = originals_storage(), 0
    for folder, names in names_by_folder.items():
        try:
            _dirs, files = storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for leftover in sorted(names & {f"{folder}/{file}" if folder else file for file in files}):
            try:
                storage.delete(leftover)  # OriginalsAlias checks the row again
            except (OSError, ClientError, BotoCoreError):
                log.warning("could not remove the online copy of archived %s", leftover,
                            exc_info=True)
                left += 1
    return left


def _out_of_time(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def run_deadline() -> float:
    """When a worker's archive or restore run stops taking new files. A wedding is thousands
    of copies (S3 needs about a second for each): done in one task they would outlast the task
    queue's timeout, which kills the worker mid-copy. Each run works for
    BOOKER_ARCHIVE_RUN_SECONDS, then leaves the rest to the next run."""
    return time.monotonic() + settings.BOOKER_ARCHIVE_RUN_SECONDS


def archive_session(session: PhotoSession, *, actor: User | None = None,
                    deadline: float | None = None) -> ArchiveReport:
    """Move every online original of a delivered session to the archive tier, each only once
    its archived copy is verified; then the session is `archived`. A failed file stays online
    with an `archive.failed` event, the others go on, and the session stays `delivered` so
    the next run (or the photographer) tries again. Running it again is harmless: archived
    rushes are skipped and a verified archived copy left by an earlier run is reused."""
    session.refresh_from_db(fields=["status", "status_changed_at"])
    report = ArchiveReport(session)
    if session.status == Status.ARCHIVED and not _online_originals(session).exists():
        return report
    if session.status != Status.DELIVERED:
        raise StudioError(
            _("Only the originals of a delivered session can be archived; this session is "
              "“%(status)s”.") % {"status": session.get_status_display()}
        )
    where, now, in_a_row = tiers(), timezone.now(), 0
    for rush in _online_originals(session).order_by("pk").iterator():
        if _out_of_time(deadline):
            report.unfinished = True
            break
        try:
            reused = _archive_one(rush, where, now)
        except Exception as exc:  # noqa: BLE001 -- one file's failure must not lose the others
            reason = _reason(exc)
            log.warning("archive of rush %s failed: %s", rush.pk, reason, exc_info=True)
            record_event(session, Event.ARCHIVE_FAILED, actor=actor, rush=rush.pk,
                         filename=rush.original_filename, reason=reason)
            report.failed.append((rush.original_filename, reason))
            in_a_row += 1
            if in_a_row >= MAX_FAILURES_IN_A_ROW:
                report.stopped = True
                break
            continue
        in_a_row = 0
        if reused:
            report.reused += 1
        else:
            report.archived += 1
    # The session is archived once no original is left online in any form: a copy whose
    # delete failed keeps it delivered, so that the next daily run tries again.
    if (not report.failed and not _online_originals(session).exists()
            and not _remove_leftover_online_copies(session)):
        try:
            transition(session, Status.ARCHIVED, actor=actor,
                       originals=report.archived + report.reused)
        except IllegalTransition:
            session.refresh_from_db(fields=["status", "status_changed_at"])  # another run did
    return report


def archive_in_slices(session: PhotoSession, *, actor: User | None) -> ArchiveReport:
    """One worker's slice of a session's archive (the "Archive now" task): what its time
    allows, the rest queued as the next slice."""
    report = archive_session(session, actor=actor, deadline=run_deadline())
    if report.unfinished:
        queue_archive(session, actor=actor)
    return report


def queue_archive(session: PhotoSession, *, actor: User | None) -> None:
    """The photographer's "Archive now": checked here, done by a worker (thousands of copies
    do not fit in a web request)."""
    if session.status != Status.DELIVERED:
        raise StudioError(
            _("Only a delivered session can be archived; this session is “%(status)s”.")
            % {"status": session.get_status_display()}
        )
    from django_q.tasks import async_task

    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(
        lambda: async_task("booker.tasks.archive_session", session.pk, actor_id,
                           task_name=f"archive-session-{session.pk}")
    )


def sessions_due_for_archive(now: datetime | None = None):
    """Delivered sessions whose delivery (or return from the archive) is older than
    BOOKER_ARCHIVE_AFTER_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BOOKER_ARCHIVE_AFTER_DAYS)
    return PhotoSession.objects.filter(status=Status.DELIVERED, status_changed_at__lte=cutoff)


def archive_due_sessions(now: datetime | None = None,
                         deadline: float | None = None) -> list[ArchiveReport]:
    """The daily run (django-q2 schedule `booker.archive_due_sessions`). A session it has no
    time left for, or could not finish, is queued as an archive task of its own (which goes on
    the same way until it is done), rather than waiting for tomorrow's run."""
    reports = []
    for session in sessions_due_for_archive(now).order_by("status_changed_at", "pk"):
        try:
            if _out_of_time(deadline):
                queue_archive(session, actor=None)
                continue
            report = archive_session(session, actor=None, deadline=deadline)
        except StudioError:
            continue  # its status changed since the query: no longer due
        reports.append(report)
        if report.unfinished:
            queue_archive(session, actor=None)
    return reports


# --- Restoring -----------------------------------------------------------------------------------


def request_restore(session: PhotoSession, *, actor: User | None) -> SessionEvent:
    """The photographer wants the originals back: the session shows "restoring" until they
    are all online again. S3 restores take hours (DEEP_ARCHIVE: up to 12 h), so the restore
    requests and the copies back are made by `check_restores`, queued now and then every
    RESTORE_CHECK_MINUTES while a session is restoring."""
    archived = session.rushes.filter(original_tier=Tier.ARCHIVE).count()
    event = transition(session, Status.RESTORING, actor=actor, originals=archived)
    _ensure_restore_checks()
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task("booker.tasks.check_restores", task_name=f"restore-session-{session.pk}")
    )
    return event


def _ensure_restore_checks() -> None:
    # An on-demand schedule of the registry (booker/schedules.py): there while needed only.
    schedules.ensure(RESTORE_CHECK_SCHEDULE)


def _drop_restore_checks() -> None:
    schedules.drop(RESTORE_CHECK_SCHEDULE)
    # A restore requested while we deleted must keep its checks.
    if PhotoSession.objects.filter(status=Status.RESTORING).exists():
        _ensure_restore_checks()


@dataclass
class RestoreProgress:
    session: PhotoSession
    back_online: int = 0
    waiting: int = 0  # S3 is still restoring them
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.session.status == Status.DELIVERED


def _bring_back(rush: Rush, where: Tiers) -> None:
    """Copy a readable archived original back online, verify it, mark it online. The archived
    copy stays (already verified: archiving this session again copies nothing)."""
    original = Original.of(rush)
    expected = where.expected(original)
    online = where.online_fingerprint(original)
    if online != expected:
        # An earlier bad copy back is discarded first: the archive has the original.
        _copy_verified(original, expected, found=online, discard=where.discard_online,
                       copy=where.copy_back, fingerprint=where.online_fingerprint,
                       what="the copy brought back")
    ORIGINAL_TIER.move_rows(Rush.objects.filter(pk=rush.pk), Tier.ARCHIVE, Tier.ONLINE)


def _record_restore_failure(session: PhotoSession, rush: Rush, reason: str) -> None:
    # Checks run every few minutes: one event per file and restore, not one per check.
    already = SessionEvent.objects.filter(
        session=session, name=Event.RESTORE_FAILED, payload__rush=rush.pk,
        created_at__gte=session.status_changed_at,
    ).exists()
    if not already:
        record_event(session, Event.RESTORE_FAILED, actor=None, rush=rush.pk,
                     filename=rush.original_filename, reason=reason)


def _restore_session(session: PhotoSession, where: Tiers,
                     deadline: float | None = None) -> RestoreProgress:
    progress = RestoreProgress(session)
    for rush in session.rushes.filter(original_tier=Tier.ARCHIVE).order_by("pk").iterator():
        if _out_of_time(deadline):
            break  # the next check (every RESTORE_CHECK_MINUTES) goes on from here
        try:
            state = where.archived_state(rush.original.name)
            if state is CopyState.MISSING:
                raise CopyFailed("the archived copy is missing")
            if state is CopyState.COLD:
                where.request_restore(rush.original.name)
            if state is not CopyState.READABLE:
                progress.waiting += 1
                continue
            _bring_back(rush, where)
        except Exception as exc:  # noqa: BLE001 -- one file must not hold the others back
            reason = _reason(exc)
            log.warning("restore of rush %s: %s", rush.pk, reason, exc_info=True)
            _record_restore_failure(session, rush, reason)
            progress.failed.append((rush.original_filename, reason))
            continue
        progress.back_online += 1
    if session.rushes.filter(original_tier=Tier.ARCHIVE).exists():
        return progress
    try:
        transition(session, Status.DELIVERED, actor=None, event=Event.SESSION_RESTORED,
                   originals=session.rushes.count())
    except IllegalTransition:
        session.refresh_from_db(fields=["status", "status_changed_at"])  # another check did
        return progress
    # The photographer and the client hear it from the automation engine's rules on
    # `session.restored` (booker/automation/defaults.py).
    return progress


def check_restores(deadline: float | None = None) -> list[RestoreProgress]:
    """For each restoring session: ask S3 to restore what is not being restored yet, copy back
    what is readable again, and once every original is online move the session back to
    `delivered` and tell the photographer and the client. With a deadline, what is left when
    it passes waits for the next check."""
    where = tiers()
    progress = [
        _restore_session(session, where, deadline)
        for session in PhotoSession.objects.filter(status=Status.RESTORING).order_by("pk")
    ]
    if PhotoSession.objects.filter(status=Status.RESTORING).exists():
        _ensure_restore_checks()
    else:
        _drop_restore_checks()
    return progress


