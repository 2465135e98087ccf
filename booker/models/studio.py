"""The photographer's trade: a session's rushes become proofs, the client picks, retouchers
work the picks, the client receives the finals."""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.storage import final_upload_to, original_upload_to, originals_storage, proofs_storage

from .people import Company


class Package(models.Model):
    """What a client buys: how many photos are included and what an extra one costs."""

    name = models.CharField(_("name"), max_length=120)
    photos_included = models.PositiveIntegerField(_("photos included"), default=20)
    extra_photo_price = models.DecimalField(
        _("price of an extra photo (incl. VAT)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: the package sells no extra photo, the quota is a hard limit."),
    )
    delivery_formats = models.CharField(
        _("delivery formats"), max_length=200, default="JPEG haute définition"
    )
    price = models.DecimalField(_("price (incl. VAT)"), max_digits=8, decimal_places=2,
                                default=Decimal("0"))
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PhotoSession(models.Model):
    """One shoot, for a private client or for a company."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        SHOT = "shot", _("shot")
        PROOFING = "proofing", _("proofing")
        # Picks beyond the package wait for the shop's order to be paid (booker.services
        # .extras_paid) before the studio may retouch them.
        AWAITING_PAYMENT = "awaiting_payment", _("extras awaiting payment")
        SELECTION_SUBMITTED = "selection_submitted", _("selection submitted")
        RETOUCHING = "retouching", _("retouching")
        DELIVERED = "delivered", _("delivered")
        ARCHIVED = "archived", _("archived")
        # Originals coming back from the archive tier; back to delivered once all are online.
        RESTORING = "restoring", _("restoring")
        CANCELLED = "cancelled", _("cancelled")

    title = models.CharField(_("title"), max_length=200)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="photo_sessions",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="photo_sessions",
    )
    photographer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("photographer"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="sessions_shot",
    )
    package = models.ForeignKey(Package, verbose_name=_("package"), null=True, blank=True,
                                on_delete=models.PROTECT)
    # The package's terms are copied at booking: changing a package never changes a sale.
    quota = models.PositiveIntegerField(_("photos included"), default=20)
    extra_photo_price = models.DecimalField(
        _("price of an extra photo"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    delivery_formats = models.CharField(_("delivery formats"), max_length=200, blank=True)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("studio notes"), blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices,
                              default=Status.BOOKED, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo session")
        verbose_name_plural = _("photo sessions")
        ordering = ["-scheduled_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False, company__isnull=True)
                           | Q(client__isnull=True, company__isnull=False)),
                name="session_has_one_owner",
                violation_error_message=_("A session belongs to a client or to a company."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def sells_extras(self) -> bool:
        return self.extra_photo_price is not None

    @property
    def owner_label(self) -> str:
        return str(self.company or self.client)


class SessionEvent(models.Model):
    """A domain event: something happened to a session. The CRM turns these into messages."""

    session = models.ForeignKey(PhotoSession, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(max_length=64, db_index=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("session event")
        verbose_name_plural = _("session events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.session_id}"


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


class Selection(models.Model):
    """The client's picks for a session; locked once submitted."""

    session = models.OneToOneField(PhotoSession, on_delete=models.CASCADE,
                                   related_name="selection")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")

    def __str__(self) -> str:
        return f"{self.session}"

    @property
    def is_locked(self) -> bool:
        return self.submitted_at is not None


class SelectionItem(models.Model):
    """The client's word on one rush: picked or not, and what to do with it."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="items")
    rush = models.ForeignKey(Rush, on_delete=models.CASCADE, related_name="selection_items")
    picked = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["selection", "rush"], name="one_item_per_rush"),
        ]
        indexes = [models.Index(fields=["selection", "picked"])]

    def __str__(self) -> str:
        return f"{self.rush} ({'picked' if self.picked else 'not picked'})"


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


class Delivery(models.Model):
    """What the client received."""

    session = models.OneToOneField(PhotoSession, on_delete=models.CASCADE,
                                   related_name="delivery")
    delivered_at = models.DateTimeField(default=timezone.now)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.session}"


class DownloadLog(models.Model):
    """Every download of a delivery: one final, or the whole ZIP (final empty)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="downloads")
    final = models.ForeignKey(FinalPhoto, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.delivery} — {self.final or 'ZIP'}"
