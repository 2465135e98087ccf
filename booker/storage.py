"""Where the studio's files live. Originals (RAWs, final HD files) and proofs are private: they
are never under MEDIA_ROOT, and are only reached after a permission check. Public media
(Wagtail and shop images) stay on the default storage.

File fields point at these callables so that the storage is looked up in settings.STORAGES
each time (tests and deployments swap it) rather than frozen at import."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.utils.functional import cached_property

ORIGINALS = "originals"
PROOFS = "proofs"


class PrivateFileSystemStorage(FileSystemStorage):
    """Local private files under settings.PRIVATE_MEDIA_ROOT/<subdir>; no public URL."""

    def __init__(self, subdir: str = "", **kwargs):
        self.subdir = subdir
        super().__init__(**kwargs)
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


def originals_storage() -> Storage:
    return storages[ORIGINALS]


def proofs_storage() -> Storage:
    return storages[PROOFS]


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
