"""Where the studio's files live. Originals (RAWs, final HD files) and proofs are private: they
are never under MEDIA_ROOT, and are only reached after a permission check. Public media
(Wagtail and shop images) stay on the default storage.

File fields point at `originals_storage` and `proofs_storage`. Django calls such a callable
once, when the model class is built, and keeps what it returns; so they return a lazy alias
that looks the storage up in settings.STORAGES on first use, and again whenever STORAGES
changes (tests swap the local disk for S3), rather than a storage frozen at import."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, cached_property, empty
from django.utils.translation import gettext_lazy

from booker.errors import StudioError

log = logging.getLogger(__name__)

ORIGINALS = "originals"
PROOFS = "proofs"
# Originals of sessions delivered long ago, under the same names (see booker/archive.py).
ARCHIVE = "archive"


class PrivateFileSystemStorage(FileSystemStorage):
    """Local private files under settings.PRIVATE_MEDIA_ROOT/<subdir>; no public URL."""

    def __init__(self, subdir: str = "", **kwargs):
        self.subdir = subdir
        super().__init__(**kwargs)
        # The one receiver not in booker/receivers.py: it belongs to this instance (held
        # weakly, gone with it), as Django's FileSystemStorage connects its own.
        setting_changed.connect(self._private_root_changed)

    def _private_root_changed(self, *, setting: str, **kwargs) -> None:
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.PRIVATE_MEDIA_ROOT) / self.subdir)

    def url(self, name: str) -> str:
        raise NotImplementedError("Private files have no public URL; use booker.selectors.")


class StorageAlias(LazyObject):
    """settings.STORAGES[alias], resolved when first used, like Django's `default_storage`.

    It passes for the storage itself (isinstance, attributes), so a field keeps one object for
    its whole life while the storage behind it follows the settings."""

    def __init__(self, alias: str):
        # Set before LazyObject.__init__: any other attribute set on a LazyObject is sent to
        # the wrapped storage, which would be resolved at import.
        self.__dict__["_storage_alias"] = alias
        super().__init__()

    def _setup(self) -> None:
        self._wrapped = storages[self.__dict__["_storage_alias"]]

    def _reset(self) -> None:
        self._wrapped = empty

    # An alias names a storage; a copy (a cloned field, a deep-copied model state) must name
    # the same one. LazyObject's own copies would call StorageAlias() without an alias.
    def __copy__(self) -> StorageAlias:
        return self

    def __deepcopy__(self, memo: dict) -> StorageAlias:
        return self


class StorageUnavailable(StudioError):
    """The file storage (S3) did not answer, or answered that it cannot serve now: nothing was
    written on our side, and the same action works again once it is back. Answered 503."""

    status = 503

    def __init__(self, message: str | None = None):
        super().__init__(message or str(STORAGE_UNAVAILABLE))


STORAGE_UNAVAILABLE = gettext_lazy(
    "The file storage is not answering right now. Nothing was lost: try again in a few "
    "minutes."
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the storage is out of reach or out of service (the same request
    will work later), as opposed to a refusal about this file (missing, denied)."""
    if isinstance(exc, StorageUnavailable):
        return True
    # Refused or unreachable endpoint, connect or read timeout, connection cut mid-answer.
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500  # InternalError, ServiceUnavailable, SlowDown
    return False


@contextmanager
def unavailable_as_refusal() -> Iterator[None]:
    """Storage calls inside raise StorageUnavailable (a StudioError with a French message)
    when the storage is out of reach; any other error passes unchanged."""
    try:
        yield
    except Exception as exc:
        if is_unavailable(exc) and not isinstance(exc, StorageUnavailable):
            raise StorageUnavailable() from exc
        raise


class UnsafeDelete(Exception):
    """Deleting this file would lose the only verified copy of a rush's original."""


def _rushes_named(name: str):
    from booker.models import Rush  # the models import this module

    rushes = Rush.objects.filter(original=name)
    # `original` has no index of its own; the session in the generated key narrows the
    # search to one session's rushes (the session foreign key is indexed).
    if match := _SESSION_KEY.match(name):
        rushes = rushes.filter(session_id=int(match[1]))
    return rushes


_SESSION_KEY = re.compile(r"^sessions/(\d+)/")


class OriginalsAlias(StorageAlias):
    """The `originals` storage, which refuses to delete a rush's original unless the rush is
    in the archive tier with a verified archived copy (booker/archive.py sets both, after
    checking the copy's checksum). Every delete through the field (`rush.original.delete()`)
    or through `originals_storage()` passes here."""

    def delete(self, name: str) -> None:
        from booker.models import Rush

        unsafe = _rushes_named(name).exclude(
            original_tier=Rush.Tier.ARCHIVE, archive_verified_at__isnull=False
        )
        if unsafe.exists():
            raise UnsafeDelete(
                f"{name} is a rush's original with no verified archived copy: not deleted."
            )
        _resolved(self).delete(name)


class ArchiveAlias(StorageAlias):
    """The `archive` storage: while a rush is in the archive tier, its archived copy is the
    only copy of its original, and is never deleted."""

    def delete(self, name: str) -> None:
        from booker.models import Rush

        if _rushes_named(name).filter(original_tier=Rush.Tier.ARCHIVE).exists():
            raise UnsafeDelete(f"{name} is the only copy of an archived original: not deleted.")
        _resolved(self).delete(name)


def erase_file(tier: str, name: str, *, erasure) -> bool:
    """Delete `name` from `tier` (ORIGINALS, PROOFS or ARCHIVE) past the guards above: the one
    door for a person's erasure (GDPR, booker.privacy.erase_person), where the studio has
    ticked that the originals go too. `erasure` is the saved record of that erasure
    (`PersonalDataErasure`, files confirmed): without it nothing is deleted, and every file
    deleted is logged with its id. Returns whether a file was there."""
    if erasure is None or erasure.pk is None or not erasure.files_confirmed:
        raise UnsafeDelete(f"{name}: an erasure deletes files only once the studio confirmed it.")
    storage = _resolved(_ALIASES[tier])
    with unavailable_as_refusal():
        if not storage.exists(name):
            return False
        storage.delete(name)
    log.warning("Erasure %s deleted %s from the %s tier.", erasure.pk, name, tier)
    return True


def _resolved(alias: StorageAlias) -> Storage:
    if alias._wrapped is empty:
        alias._setup()
    return alias._wrapped


_ALIASES = {
    ORIGINALS: OriginalsAlias(ORIGINALS),
    PROOFS: StorageAlias(PROOFS),
    ARCHIVE: ArchiveAlias(ARCHIVE),
}


def storages_changed() -> None:
    """settings.STORAGES changed (booker/receivers.py, on `setting_changed`): Django empties
    its own `storages` cache; the aliases must let go of the storage they hold too, or a field
    would keep writing where the old settings said."""
    for alias in _ALIASES.values():
        alias._reset()


def originals_storage() -> Storage:
    return _ALIASES[ORIGINALS]  # type: ignore[return-value]  # a lazy Storage


def proofs_storage() -> Storage:
    return _ALIASES[PROOFS]  # type: ignore[return-value]


def archive_storage() -> Storage:
    return _ALIASES[ARCHIVE]  # type: ignore[return-value]


def original_upload_to(instance, filename: str) -> str:
    """Generated keys: an original is never overwritten, whatever its name."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"sessions/{instance.session_id}/originals/{uuid.uuid4().hex}{suffix}"


def final_upload_to(instance, filename: str) -> str:
    suffix = Path(filename).suffix.lower()[:10]
    return f"sessions/{instance.job.session_id}/finals/{uuid.uuid4().hex}{suffix}"


def sha256_of(fileobj) -> tuple[str, int]:
    """sha256 and size of an open file, read in chunks (RAWs are tens of MB)."""
    digest = hashlib.sha256()
    size = 0
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return digest.hexdigest(), size


def read_range(storage: Storage, name: str, offset: int, length: int) -> bytes:
    """`length` bytes of the stored file from `offset`: a ranged GET on S3."""
    from storages.backends.s3 import S3Storage

    if isinstance(storage, S3Storage):
        client = storage.connection.meta.client
        body = client.get_object(Bucket=storage.bucket_name, Key=storage._normalize_name(name),
                                 Range=f"bytes={offset}-{offset + length - 1}")["Body"]
        try:
            return body.read()
        finally:
            body.close()
    with storage.open(name, "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def iter_chunks(storage: Storage, name: str, chunk_size: int = 256 * 1024,
                start: int = 0) -> Iterator[bytes]:
    """The stored file's bytes from `start`, a block at a time, as they arrive.

    django-storages' S3File downloads the whole object to a temporary file before the first
    read() returns: a 10 MB final would wait for all of it, and be written to disk and read
    back. On S3 this reads the GET's body as it streams instead."""
    from storages.backends.s3 import S3Storage

    if isinstance(storage, S3Storage):  # a StorageAlias passes for what it wraps
        # The client, not the resource API: a resource's action costs more than the GET.
        client = storage.connection.meta.client
        extra = {"Range": f"bytes={start}-"} if start else {}
        body = client.get_object(Bucket=storage.bucket_name,
                                 Key=storage._normalize_name(name), **extra)["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as handle:
        if start:
            handle.seek(start)
        while chunk := handle.read(chunk_size):
            yield chunk
