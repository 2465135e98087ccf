from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from booker.sessions.models import PhotoSession
from booker.storage import original_upload_to, originals_storage, proofs_storage


class Rush(models.Model):
    """One original frame, as it came off the card."""

    class Ingest(models.TextChoices):
        PENDING = "pending", _("pending")
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    session = models.ForeignKey(PhotoSession, on_delete=models.CASCADE, related_name="rushes")
    original = models.FileField(storage=originals_storage, upload_to=original_upload_to,
                                max_length=255)
    original_filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    # The stored bytes were checked when they were stored (hashed by the studio, or S3's
    # SHA-256 of every part matched the browser's): the ingest need not read the whole file
    # again to check it, and may fetch only the embedded preview.
    checked_at_upload = models.BooleanField(default=False, editable=False)
    size = models.BigIntegerField(_("size (bytes)"))
    captured_at = models.DateTimeField(_("captured at"), null=True, blank=True)
    # Who is in the photo, on a company's headshot day: each member picks among their own.
    sitter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("sitter"))
    camera = models.CharField(_("camera"), max_length=120, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    proof = models.FileField(storage=proofs_storage, max_length=255, blank=True)
    thumbnail = models.FileField(storage=proofs_storage, max_length=255, blank=True)
    ingest_status = models.CharField(_("ingest"), max_length=12, choices=Ingest.choices,
                                     default=Ingest.PENDING, db_index=True)
    failure_reason = models.CharField(_("why it failed"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)

    class Tier(models.TextChoices):
        ONLINE = "online", _("online")
        ARCHIVE = "archive", _("archived (offline)")

    # Where the original is now: the `originals` storage, or the `archive` storage under the
    # same name. An original leaves the online tier only once its archived copy is verified.
    original_tier = models.CharField(_("original"), max_length=8, choices=Tier.choices,
                                     default=Tier.ONLINE)
    # When the archived copy's checksum was last verified (kept when restored: the archived
    # copy stays, so archiving again needs no second copy).
    archive_verified_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The photographer's curation of the proofs (booker.proofing.curation). A hidden proof is
    # gone for the client by every door (gallery, picks, files).
    hidden_from_client = models.BooleanField(_("hidden from the client"), default=False)
    # Order in the client's gallery once the photographer has arranged it; None until then,
    # and for a rush added later, which then comes after the arranged ones (capture order).
    position = models.PositiveIntegerField(_("position"), null=True, blank=True)
    # The gallery's section ("Cérémonie", "Soirée"); blank: no section.
    set_name = models.CharField(_("set"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("rush")
        verbose_name_plural = _("rushes")
        ordering = ["original_filename", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "sha256"], name="rush_unique_per_session"),
        ]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def stem(self) -> str:
        return PurePath(self.original_filename).stem
class RushUpload(models.Model):
    """One file being uploaded: an S3 multipart upload the browser sends straight to S3, or,
    when the originals are on the local disk, chunks posted to the studio.

    It outlives a closed tab: re-selecting the same file (same sha256, same session) finds it
    again and only the missing parts are sent."""

    class State(models.TextChoices):
        UPLOADING = "uploading", _("uploading")
        COMPLETE = "complete", _("complete")
        ABORTED = "aborted", _("aborted")

    session = models.ForeignKey(PhotoSession, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size (bytes)"))
    # As computed by the browser; the ingest task checks it against the stored bytes.
    sha256 = models.CharField(max_length=64)
    # The storage name the original will have (generated, never the client's file name).
    key = models.CharField(max_length=255)
    # S3's UploadId; empty when the chunks come to the studio (local storage).
    s3_upload_id = models.CharField(max_length=1024, blank=True)
    part_size = models.PositiveIntegerField()
    # S3 mode: the base64 SHA-256 of each part, computed by the browser with the file's own
    # sha256. Each presigned part URL carries its part's, so S3 refuses a damaged part, and
    # the object's composite checksum is compared with them at complete.
    part_checksums = models.JSONField(default=list, blank=True)
    # Local chunked uploads: bytes written so far (chunks arrive in order).
    received = models.BigIntegerField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADING,
                             db_index=True)
    rush = models.OneToOneField(Rush, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="upload")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rush upload")
        verbose_name_plural = _("rush uploads")
        constraints = [
            # One open upload per file and session: a second tab resumes it, never forks it.
            models.UniqueConstraint(
                fields=["session", "sha256"], condition=Q(state="uploading"),
                name="one_open_upload_per_file",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_multipart_s3(self) -> bool:
        return bool(self.s3_upload_id)
