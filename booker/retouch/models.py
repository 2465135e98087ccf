from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.intake.models import Rush
from booker.sessions.models import PhotoSession
from booker.storage import final_upload_to, originals_storage


class RetouchJob(models.Model):
    """The retouch of one picked rush."""

    class Status(models.TextChoices):
        TODO = "todo", _("to do")
        IN_PROGRESS = "in_progress", _("in progress")
        IN_REVIEW = "in_review", _("in review")
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        DONE = "done", _("done")

    session = models.ForeignKey(PhotoSession, on_delete=models.CASCADE,
                                related_name="retouch_jobs", verbose_name=_("session"))
    rush = models.OneToOneField(Rush, on_delete=models.CASCADE, related_name="retouch_job")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("retoucher"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="retouch_jobs")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.TODO, editable=False)
    instructions = models.TextField(_("client's instructions"), blank=True)
    # What the photographer asked for when they last returned the retouch (the retoucher
    # reads it with the job).
    review_note = models.TextField(_("photographer's review"), blank=True)
    # The review note is the client's own words, not the photographer's (a session whose
    # package has the client approve the finals: booker.retouch.approval).
    review_by_client = models.BooleanField(_("asked by the client"), default=False,
                                           editable=False)
    # Which version of the final the client was asked to approve, and which they approved:
    # a new version (after a change) is neither until the studio sends it again.
    client_asked_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    client_approved_version = models.PositiveIntegerField(null=True, blank=True,
                                                          editable=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retouch job")
        verbose_name_plural = _("retouch jobs")
        ordering = ["due_date", "rush__original_filename"]

    def __str__(self) -> str:
        return f"{self.rush}"


class FinalPhoto(models.Model):
    """The retouched HD file of a job: its current version. A new upload takes its place and
    the previous one is kept as a `FinalVersion` (never overwritten: a new storage key)."""

    job = models.OneToOneField(RetouchJob, on_delete=models.CASCADE, related_name="final")
    file = models.FileField(storage=originals_storage, upload_to=final_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    # Pixel size, read at upload: the shop warns when a print would be too large for it.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("final photo")
        verbose_name_plural = _("final photos")

    def __str__(self) -> str:
        return self.original_filename


class FinalVersion(models.Model):
    """A final that a newer upload replaced, kept with what the photographer said of it."""

    job = models.ForeignKey(RetouchJob, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(storage=originals_storage, max_length=255)
    original_filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()
    review_note = models.TextField(_("photographer's review"), blank=True)
    # The note is the client's, who returned this version (booker.retouch.approval).
    review_by_client = models.BooleanField(_("asked by the client"), default=False,
                                           editable=False)

    class Meta:
        verbose_name = _("earlier version of a final")
        verbose_name_plural = _("earlier versions of finals")
        ordering = ["job", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["job", "version"], name="one_row_per_final_version"),
        ]

    def __str__(self) -> str:
        return f"{self.original_filename} (v{self.version})"
