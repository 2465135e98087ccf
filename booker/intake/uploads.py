"""Rushes that do not go through Django: the writes behind the studio page's uploader.

With the originals on S3, the browser sends each file straight to S3 as a multipart upload
(start → presigned part URLs → complete); the studio only signs and checks. With the originals
on the local disk, the same uploader sends chunks to the studio, appended in order to a
partial file under PRIVATE_MEDIA_ROOT/uploads/ and moved into the originals storage at the end.

Either way an upload is a `RushUpload` row that outlives a closed tab: the browser computes
the file's sha256 first, and starting again with the same file in the same session finds the
open upload and is told what the studio already has, so only the missing parts are sent.
A file that is already a rush of the session is reported before any byte is sent.

Contract with the browser and the bench: /tmp/brief/upload_api.md, kept in
docs/architecture.md ("Rush uploads")."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from booker.errors import StudioError
from booker.intake.machine import UPLOAD
from booker.intake.services import AddedRush
from booker.models import PhotoSession, Rush, RushUpload, User
from booker.storage import (
    StorageUnavailable,
    is_unavailable,
    originals_storage,
    unavailable_as_refusal,
)

from . import services

log = logging.getLogger(__name__)

State = RushUpload.State

MiB = 1024 * 1024
DEFAULT_PART_SIZE = 16 * MiB
# S3's rules for multipart uploads: every part but the last at least 5 MiB, 10,000 parts.
S3_MIN_PART_SIZE = 5 * MiB
S3_MAX_PARTS = 10_000
# Presigned part URLs: long enough for a 16 MiB part on a slow uplink, short enough that a
# leaked URL is soon worthless. The browser asks for fresh ones when they are older.
PART_URL_LIFETIME = 15 * 60
MAX_URLS_PER_REQUEST = 100
# Open uploads untouched this long are abandoned: their parts cost storage, on S3 too.
STALE_AFTER = timedelta(days=3)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COPY_BLOCK = 1 * MiB


# A start body carries one base64 SHA-256 per part (10,000 at most, ~470 KB): room for that.
MAX_JSON_BODY = 1 * MiB
# The declared size of one RAW, at most (BOOKER_MAX_RAW_BYTES): past it the upload is refused
# before a byte is sent. Never past what the size column (a signed bigint) holds.
DEFAULT_MAX_RAW_BYTES = 4 * 1024 * MiB
_BIGINT_MAX = 2**63 - 1


class BadUploadRequest(StudioError):
    """A request the uploader never sends (not JSON, nested past reason, a size that is no
    size): answered 400 with this reason."""

    status = 400


class FileTooLarge(StudioError):
    """A declared size above BOOKER_MAX_RAW_BYTES: answered 413, before any byte is sent."""

    status = 413


class OffsetMismatch(StudioError):
    """A local chunk that does not continue the file: the browser resends from `received`."""

    def __init__(self, received: int):
        super().__init__(f"The studio has {received} bytes of this file; send from there.")
        self.received = received


@dataclass
class Started:
    """What `start_upload` answers: a duplicate, or the upload to send (perhaps resumed)."""

    upload: RushUpload | None = None
    duplicate_of: Rush | None = None
    # Parts the studio already has (S3 mode): (number, size).
    parts: list[tuple[int, int]] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return "s3" if self.upload is not None and self.upload.is_multipart_s3 else "local"


# --- Where the bytes go ------------------------------------------------------------------------


def _storage() -> Storage:
    return originals_storage()


def uses_s3() -> bool:
    return isinstance(_storage(), S3Storage)  # the lazy alias passes for what it wraps


def _s3():
    """The boto3 client, bucket, and the storage (for its key normalisation)."""
    storage = _storage()
    return storage.connection.meta.client, storage.bucket_name, storage


def _s3_key(name: str) -> str:
    """The object key of storage name `name` (the storage adds its `originals/` location)."""
    return _storage()._normalize_name(clean_name(name))


def _partial_path(upload: RushUpload) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "uploads" / f"{upload.pk}.part"


def part_size_for(size: int) -> int:
    """16 MiB parts (BOOKER_UPLOAD_PART_SIZE), grown for huge files so that they fit in S3's
    10,000 parts; never under S3's 5 MiB minimum."""
    wanted = base_part_size()
    needed = math.ceil(size / S3_MAX_PARTS)
    if needed > wanted:
        wanted = math.ceil(needed / MiB) * MiB
    return wanted


def base_part_size() -> int:
    """The part size of every file under ~156 GB; the uploader fingerprints parts of this
    size (growing it as `part_size_for` does) before it announces the file."""
    return max(getattr(settings, "BOOKER_UPLOAD_PART_SIZE", DEFAULT_PART_SIZE), S3_MIN_PART_SIZE)


def part_count(upload: RushUpload) -> int:
    return max(1, math.ceil(upload.size / upload.part_size))


def _expected_part_size(upload: RushUpload, number: int) -> int:
    count = part_count(upload)
    return upload.part_size if number < count else upload.size - upload.part_size * (count - 1)


# --- Reading what the browser sends ------------------------------------------------------------


def read_json(body: bytes) -> dict:
    """The JSON object of an upload request; BadUploadRequest for anything else.

    The size is capped before parsing, and a body nested deeper than the parser's recursion
    (`"[" * 100000`) is refused like any malformed one, instead of escaping as a 500."""
    if len(body) > MAX_JSON_BODY:
        raise BadUploadRequest(_("The upload request is too long (%(max)s at most).")
                               % {"max": filesizeformat(MAX_JSON_BODY)})
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError) as exc:
        raise BadUploadRequest(_("The upload request cannot be read (invalid JSON): reload "
                                 "the page and try again.")) from exc
    if not isinstance(data, dict):
        raise BadUploadRequest(_("The upload request cannot be read (invalid JSON): reload "
                                 "the page and try again."))
    return data


def max_raw_bytes() -> int:
    return min(getattr(settings, "BOOKER_MAX_RAW_BYTES", DEFAULT_MAX_RAW_BYTES), _BIGINT_MAX)


def _checked_size(size: object, filename: str) -> int:
    """The declared size, refused when it is no size (400), empty (409) or above the cap
    (413): the photographer reads why, and nothing is opened."""
    # bool is an int to Python, and JSON's true is no size.
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise BadUploadRequest(_("The file's size is missing or is not a whole number of "
                                 "bytes: reload the page and try again."))
    if size == 0:
        raise StudioError(_("This file is empty: there is nothing to upload."))
    limit = max_raw_bytes()
    if size > limit:
        raise FileTooLarge(
            _("%(name)s is too heavy (%(size)s): the studio takes %(max)s at most per RAW.")
            % {"name": filename, "size": filesizeformat(size), "max": filesizeformat(limit)}
        )
    return size


# --- Start (or resume) -------------------------------------------------------------------------


def start_upload(
    session: PhotoSession,
    *,
    filename: str,
    size: int,
    sha256: str,
    part_checksums: list[str] | None = None,
    actor: User | None = None,
) -> Started:
    """Open the upload of one file, or find the open one of the same file (resume), or tell
    that the session already has it (nothing to send).

    `part_checksums`: the base64 SHA-256 of each `part_size_for(size)` part, in order,
    computed by the browser with `sha256`. Required on S3: each part URL is signed with its
    checksum, so S3 itself refuses a part that does not match, and `complete_upload` checks
    the object's composite checksum against them.

    S3 out of reach: StorageUnavailable (503), and nothing is opened; the same file again
    later resumes or starts afresh."""
    with unavailable_as_refusal():
        return _start_upload(session, filename=filename, size=size, sha256=sha256,
                             part_checksums=part_checksums, actor=actor)


def _start_upload(
    session: PhotoSession,
    *,
    filename: str,
    size: int,
    sha256: str,
    part_checksums: list[str] | None,
    actor: User | None,
) -> Started:
    services.check_takes_rushes(session)
    sha256 = str(sha256).lower()
    if not _SHA256.match(sha256):
        raise StudioError(_("The file's fingerprint (sha256) is missing or malformed."))
    filename = services.rush_filename(str(filename))
    size = _checked_size(size, filename)
    part_size = part_size_for(size)
    checksums = _valid_part_checksums(part_checksums, size, part_size) if uses_s3() else []
    existing = Rush.objects.filter(session=session, sha256=sha256).first()
    if existing is not None:
        return Started(duplicate_of=existing)

    current = RushUpload.objects.filter(session=session, sha256=sha256,
                                        state=State.UPLOADING).first()
    if current is not None:
        resumed = _resume(current, size, checksums)
        if resumed is not None:
            return resumed

    upload = RushUpload(session=session, filename=filename, size=size, sha256=sha256,
                        part_size=part_size, part_checksums=checksums, created_by=actor)
    field_ = Rush._meta.get_field("original")
    storage = _storage()
    # Generated, and checked free: an original is never written over.
    upload.key = storage.get_available_name(
        field_.generate_filename(Rush(session=session), filename), max_length=field_.max_length
    )
    if uses_s3():
        client, bucket, _region = _s3()
        # SHA256 parts: S3 checks each part against the checksum its URL is signed with, and
        # keeps a composite checksum of the object that `_complete_s3` compares.
        answer = client.create_multipart_upload(Bucket=bucket, Key=_s3_key(upload.key),
                                                 ChecksumAlgorithm="SHA256")
        upload.s3_upload_id = answer["UploadId"]
    try:
        with transaction.atomic():
            upload.save()
    except IntegrityError:
        # Two tabs started the same file at once: the other one's upload is the one.
        if upload.s3_upload_id:
            _abort_s3(upload)
        current = RushUpload.objects.get(session=session, sha256=sha256, state=State.UPLOADING)
        return _resume(current, size, checksums) or Started(upload=current)
    return Started(upload=upload)


def _valid_part_checksums(checksums: object, size: int, part_size: int) -> list[str]:
    count = max(1, math.ceil(size / part_size))
    if not isinstance(checksums, list) or len(checksums) != count:
        raise StudioError(
            _("The uploader sent %(sent)d part fingerprints for a file of %(count)d parts of "
              "%(size)d bytes: reload the page and choose the file again.")
            % {"sent": len(checksums) if isinstance(checksums, list) else 0, "count": count,
               "size": part_size}
        )
    for value in checksums:
        try:
            ok = isinstance(value, str) and len(base64.b64decode(value, validate=True)) == 32
        except (binascii.Error, ValueError):
            ok = False
        if not ok:
            raise StudioError(_("A part fingerprint (base64 SHA-256) is malformed."))
    return checksums


def _resume(upload: RushUpload, size: int, checksums: list[str]) -> Started | None:
    """The open upload of this file, with what the studio already has; None when it cannot
    go on (another size for the same fingerprint, parts fingerprinted otherwise, or S3
    forgot it): then it is aborted."""
    if upload.size != size or upload.part_checksums != checksums:
        abort_upload(upload)
        return None
    if not upload.is_multipart_s3:
        _sync_received(upload)
        return Started(upload=upload)
    try:
        parts = _list_parts(upload)
    except ClientError as exc:
        if _error_code(exc) != "NoSuchUpload":
            raise
        abort_upload(upload)
        return None
    return Started(upload=upload, parts=[(n, p["Size"]) for n, p in sorted(parts.items())])


def _sync_received(upload: RushUpload) -> None:
    """A worker killed between writing a chunk and counting it leaves the file longer than
    `received`, or a lost disk leaves it shorter: the file is the truth for what is on disk,
    `received` for what was acknowledged; keep the smaller and cut the rest."""
    path = _partial_path(upload)
    on_disk = path.stat().st_size if path.exists() else 0
    if on_disk != upload.received:
        keep = min(on_disk, upload.received)
        if path.exists():
            with path.open("r+b") as fh:
                fh.truncate(keep)
        RushUpload.objects.filter(pk=upload.pk).update(received=keep)
        upload.received = keep


# --- S3: the browser sends the parts ---------------------------------------------------------


def part_urls(upload: RushUpload, numbers: object) -> dict[int, str]:
    """Presigned UploadPart URLs (15 minutes at most) for the given part numbers."""
    if not isinstance(numbers, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in numbers
    ):
        raise BadUploadRequest(_("Part numbers are whole numbers: reload the page and try "
                                 "again."))
    _check_open(upload)
    if not upload.is_multipart_s3:
        raise StudioError(_("This upload goes to the studio in chunks, not to S3."))
    count = part_count(upload)
    wanted = sorted(set(numbers))
    if not wanted or len(wanted) > MAX_URLS_PER_REQUEST:
        raise StudioError(_("Ask for 1 to %(max)d parts at a time.")
                          % {"max": MAX_URLS_PER_REQUEST})
    if wanted[0] < 1 or wanted[-1] > count:
        raise StudioError(_("This file has parts 1 to %(count)d.") % {"count": count})
    client, bucket, _region = _s3()
    key = _s3_key(upload.key)
    lifetime = min(PART_URL_LIFETIME,
                   getattr(settings, "AWS_QUERYSTRING_EXPIRE", PART_URL_LIFETIME))
    # Signed with the part's checksum: the PUT must carry it in `x-amz-checksum-sha256`,
    # and S3 refuses a body that does not match it (BadDigest) — a damaged part is resent.
    urls = {
        n: client.generate_presigned_url(
            "upload_part",
            Params={"Bucket": bucket, "Key": key, "UploadId": upload.s3_upload_id,
                    "PartNumber": n, "ChecksumSHA256": upload.part_checksums[n - 1]},
            ExpiresIn=lifetime,
        )
        for n in wanted
    }
    # The upload is alive: the stale sweep goes by updated_at.
    RushUpload.objects.filter(pk=upload.pk).update(updated_at=timezone.now())
    return urls


def _list_parts(upload: RushUpload) -> dict[int, dict]:
    client, bucket, _region = _s3()
    key = _s3_key(upload.key)
    parts: dict[int, dict] = {}
    marker = 0
    while True:
        page = client.list_parts(Bucket=bucket, Key=key, UploadId=upload.s3_upload_id,
                                 PartNumberMarker=marker)
        for part in page.get("Parts", []):
            parts[part["PartNumber"]] = part
        if not page.get("IsTruncated"):
            return parts
        marker = page["NextPartNumberMarker"]


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


# --- Local: the browser sends chunks to the studio ---------------------------------------------


def receive_chunk(upload: RushUpload, offset: int, body: BinaryIO, length: int) -> int:
    """Append `length` bytes read from `body` at `offset` to the partial file; the bytes
    received so far. Chunks come in order: any other offset is refused (OffsetMismatch)
    with what the studio has, so the browser resends from there."""
    if upload.is_multipart_s3:
        raise StudioError(_("This upload goes straight to S3, not to the studio."))
    with transaction.atomic():
        # One writer per upload at a time (two tabs, a retried chunk still in flight).
        upload = RushUpload.objects.select_for_update().get(pk=upload.pk)
        _check_open(upload)
        _sync_received(upload)
        if offset != upload.received:
            raise OffsetMismatch(upload.received)
        if length <= 0 or offset + length > upload.size:
            raise StudioError(_("This chunk goes past the end of the file (%(size)d bytes).")
                              % {"size": upload.size})
        path = _partial_path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        try:
            with path.open("ab") as fh:
                while written < length:
                    block = body.read(min(_COPY_BLOCK, length - written))
                    if not block:
                        break
                    fh.write(block)
                    written += len(block)
        finally:
            if written != length:
                # A cut connection: keep what was acknowledged before, not half a chunk.
                with path.open("r+b") as fh:
                    fh.truncate(upload.received)
        if written != length:
            raise StudioError(_("The chunk arrived incomplete; send it again."))
        upload.received += written
        RushUpload.objects.filter(pk=upload.pk).update(received=upload.received,
                                                       updated_at=timezone.now())
    return upload.received


def _local_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_COPY_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _move_into_storage(upload: RushUpload, path: Path) -> str:
    """Put the assembled file in the originals storage under the upload's key (or a free
    variant of it): a rename on the same disk, a copy otherwise. Returns the stored name."""
    storage = _storage()
    field_ = Rush._meta.get_field("original")
    name = storage.get_available_name(upload.key, max_length=field_.max_length)
    if isinstance(storage, FileSystemStorage):
        target = Path(storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            # link + unlink rather than rename: link refuses to replace an existing file.
            os.link(path, target)
        except FileExistsError:
            return _move_into_storage(upload, path)
        except OSError:
            pass  # another disk (EXDEV), or links unsupported: copy below
        else:
            path.unlink()
            if storage.file_permissions_mode is not None:
                os.chmod(target, storage.file_permissions_mode)
            return name
    with path.open("rb") as fh:
        name = storage.save(name, File(fh, name=upload.filename), max_length=field_.max_length)
    path.unlink()
    return name


# --- Complete and abort ------------------------------------------------------------------------


def complete_upload(upload: RushUpload, *, actor: User | None = None) -> AddedRush:
    """Check the whole file is there (every part, the exact size; locally the sha256 too),
    then create the rush and queue its proof; a file the session already has is reported
    as a duplicate and its copy removed. Refusals leave the upload open when the browser
    can still fix them (missing parts, S3 out of reach: its parts wait there), and close it
    when not (bad bytes)."""
    with transaction.atomic():
        upload = RushUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.state == State.COMPLETE:
            # A second click, or an answer lost on the way: the same answer again.
            rush = upload.rush or Rush.objects.get(session=upload.session, sha256=upload.sha256)
            return AddedRush(rush, duplicate=upload.rush_id is None)
        try:
            _check_open(upload)
            services.check_takes_rushes(upload.session)
            with unavailable_as_refusal():
                name = (_complete_s3(upload) if upload.is_multipart_s3
                        else _complete_local(upload))
            # Both ways the bytes were checked before this point: the sha256 of the
            # assembled file here, S3's SHA-256 of every part and of the whole there.
            added = services.add_stored_rush(
                upload.session, name, upload.filename, sha256=upload.sha256, size=upload.size,
                actor=actor, checked=True,
            )
        except StudioError as exc:
            # Caught inside the transaction so that closing the upload is kept; raised below.
            refusal = exc
            if upload.state == State.UPLOADING and not isinstance(
                exc, _StillOpen | StorageUnavailable
            ):
                abort_upload(upload)
        else:
            UPLOAD.move_rows(
                RushUpload.objects.filter(pk=upload.pk), State.UPLOADING, State.COMPLETE,
                key=name, updated_at=timezone.now(), rush=None if added.duplicate else added.rush,
            )
            return added
    raise refusal


class _StillOpen(StudioError):
    """A refusal the browser can fix by sending what is missing: the upload stays open."""


def _complete_s3(upload: RushUpload) -> str:
    client, bucket, _region = _s3()
    key = _s3_key(upload.key)
    try:
        parts = _list_parts(upload)
    except ClientError as exc:
        if _error_code(exc) != "NoSuchUpload":
            raise
        # Completed by an earlier call whose answer was lost: the object is there.
        parts = None
    if parts is not None:
        count = part_count(upload)
        missing = [n for n in range(1, count + 1) if n not in parts]
        if missing:
            shown = ", ".join(map(str, missing[:20])) + ("…" if len(missing) > 20 else "")
            raise _StillOpen(_("Parts %(parts)s of %(count)d have not arrived; send them again.")
                             % {"parts": shown, "count": count})
        wrong = [n for n in range(1, count + 1)
                 if parts[n]["Size"] != _expected_part_size(upload, n)]
        if wrong or len(parts) != count:
            abort_upload(upload)
            raise StudioError(_("The parts received do not make up the announced file "
                                "(size mismatch). Nothing was stored; upload it again."))
        client.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload.s3_upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": parts[n]["ETag"],
                                        "ChecksumSHA256": upload.part_checksums[n - 1]}
                                       for n in range(1, count + 1)]},
        )
    try:
        head = client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        stored = head["ContentLength"]
    except ClientError as exc:
        if is_unavailable(exc):
            raise  # a 5xx says nothing of the object: the upload stays open, retried later
        head, stored = {}, None
    composite = str(head.get("ChecksumSHA256", "")).split("-")[0]
    if stored == upload.size and composite != composite_checksum(upload.part_checksums):
        client.delete_object(Bucket=bucket, Key=key)
        UPLOAD.move_rows(RushUpload.objects.filter(pk=upload.pk), State.UPLOADING, State.ABORTED)
        raise StudioError(_(
            "The stored file does not match the file sent: its checksum differs. "
            "Nothing was kept; upload it again."
        ))
    if stored != upload.size:
        if stored is not None:
            client.delete_object(Bucket=bucket, Key=key)
        UPLOAD.move_rows(RushUpload.objects.filter(pk=upload.pk), State.UPLOADING, State.ABORTED)
        raise StudioError(
            _("The stored file has %(stored)d bytes instead of %(size)d. "
              "Nothing was kept; upload it again.")
            % {"stored": stored or 0, "size": upload.size}
        )
    return upload.key


def part_checksums_of(read: Callable[[int, int], bytes], size: int,
                      part_size: int) -> list[str]:
    """What the uploader sends as `part_sha256` for a file of `size` bytes cut in parts of
    `part_size_for(size)` bytes, `read(offset, length)` giving its bytes (the studio page
    does the same in static/booker/sha256.js; the bench and the tests use this)."""
    return [base64.b64encode(hashlib.sha256(read(offset, part_size)).digest()).decode()
            for offset in range(0, max(size, 1), part_size)]


def composite_checksum(part_checksums: list[str]) -> str:
    """S3's checksum of a multipart object: the SHA-256 of its parts' SHA-256 digests."""
    digest = hashlib.sha256(b"".join(base64.b64decode(c) for c in part_checksums))
    return base64.b64encode(digest.digest()).decode()


def _complete_local(upload: RushUpload) -> str:
    _sync_received(upload)
    if upload.received != upload.size:
        raise _StillOpen(
            _("The studio has %(received)d of %(size)d bytes of this file; send the rest.")
            % {"received": upload.received, "size": upload.size}
        )
    path = _partial_path(upload)
    if _local_sha256(path) != upload.sha256:
        abort_upload(upload)
        raise StudioError(_(
            "The file arrived damaged or changed on the way: its fingerprint (sha256) does not "
            "match. Nothing was stored; upload it again."
        ))
    if Rush.objects.filter(session=upload.session, sha256=upload.sha256).exists():
        path.unlink(missing_ok=True)
        existing = Rush.objects.get(session=upload.session, sha256=upload.sha256)
        return existing.original.name  # add_stored_rush reports it, deletes nothing
    return _move_into_storage(upload, path)


def abort_upload(upload: RushUpload) -> None:
    """Give up an upload: S3 drops its parts, the partial file is deleted. Idempotent. S3 out
    of reach: StorageUnavailable, and the upload stays open (its parts are still there)."""
    if upload.is_multipart_s3:
        with unavailable_as_refusal():
            _abort_s3(upload)
    else:
        _partial_path(upload).unlink(missing_ok=True)
    UPLOAD.move_rows(RushUpload.objects.filter(pk=upload.pk), State.UPLOADING, State.ABORTED,
                     updated_at=timezone.now())
    upload.state = State.ABORTED


def _abort_s3(upload: RushUpload) -> None:
    client, bucket, _region = _s3()
    try:
        client.abort_multipart_upload(Bucket=bucket, Key=_s3_key(upload.key),
                                      UploadId=upload.s3_upload_id)
    except ClientError as exc:
        if _error_code(exc) != "NoSuchUpload":
            raise


def abort_stale_uploads(older_than: timedelta = STALE_AFTER) -> int:
    """Abort the uploads nobody touched for `older_than` (a tab closed for good). Run daily
    (`manage.py abort_stale_uploads`, or a django-q schedule of this function). On AWS, a
    bucket lifecycle rule AbortIncompleteMultipartUpload is the safety net behind it."""
    count = 0
    stale = RushUpload.objects.filter(state=State.UPLOADING,
                                      updated_at__lt=timezone.now() - older_than)
    for upload in stale.iterator():
        try:
            abort_upload(upload)
        except (ClientError, StorageUnavailable):
            # The next day's sweep tries again; the other stale uploads are not held up.
            log.exception("could not abort stale upload %s", upload.pk)
            continue
        count += 1
    return count


def _check_open(upload: RushUpload) -> None:
    if upload.state != State.UPLOADING:
        raise StudioError(_("This upload is closed; choose the file again to start over."))


