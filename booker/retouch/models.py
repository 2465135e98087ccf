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
                                related_name="retouch_jobs")
    rush = models.OneToOneField(Rush, on_delete=models.CASCADE, related_name="retouch_job")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("retoucher"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="retouch_jobs")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.TODO, editable=False)
    instructions = models.TextField(_("client's instructions"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retouch job")
        verbose_name_plural = _("retouch jobs")
        ordering = ["due_date", "rush__original_filename"]

    def __str__(self) -> str:
        return f"{self.rush}"


class FinalPhoto(models.Model):
    """The retouched HD file of a job; a new upload replaces the previous one."""

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

    class Meta:
        verbose_name = _("final photo")
        verbose_name_plural = _("final photos")

    def __str__(self) -> str:
        return self.original_filename
