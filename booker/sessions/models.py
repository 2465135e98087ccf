from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.people.models import Company

DEFAULT_USAGE_RIGHTS = (
    "Utilisation libre et illimitée dans le temps par le client pour sa communication "
    "(site internet, réseaux sociaux, presse, supports imprimés), hors revente et hors "
    "publicité payante sans accord du studio. Mention du photographe appréciée."
)


class DeliverySizes(models.TextChoices):
    """Which sizes of each final the client downloads: the final as delivered (HD, for
    printing) and the brand library's web copy (long side 2048 px, sRGB, for screens)."""

    BOTH = "both", _("HD and web")
    HD = "hd", _("HD only")
    WEB = "web", _("web only")


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
    # What the portal offers to download, read by the code (delivery_formats is free text for
    # the client to read): a web-only package never unlocks the HD file.
    delivery_sizes = models.CharField(_("sizes delivered"), max_length=8,
                                      choices=DeliverySizes.choices, default=DeliverySizes.BOTH)
    price = models.DecimalField(_("price (incl. VAT)"), max_digits=8, decimal_places=2,
                                default=Decimal("0"))
    # The studio's approval of each retouch is not the last word: the client's is, before
    # anything is delivered (booker.retouch.approval).
    client_approves_finals = models.BooleanField(
        _("the client approves the retouches before delivery"), default=False)
    # What the client may do with the photos, shown beside each download of the company's
    # brand library. Written in French: it is the studio's own wording of a licence.
    usage_rights = models.TextField(
        _("usage rights"), default=DEFAULT_USAGE_RIGHTS,
        help_text=_("Shown to the client beside each download: where and how long the photos "
                    "may be used."),
    )
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
    delivery_sizes = models.CharField(_("sizes delivered"), max_length=8,
                                      choices=DeliverySizes.choices, default=DeliverySizes.BOTH)
    client_approves_finals = models.BooleanField(
        _("the client approves the retouches before delivery"), default=False)
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    # How long the shoot keeps the photographer busy from `scheduled_at`: online booking
    # (booker.booking) leaves no slot of theirs over it. Booked online, the session type's.
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("location"), max_length=200, blank=True)
    notes = models.TextField(_("studio notes"), blank=True)
    # The SEQUENCE of the session's calendar event (booker/calendars): raised at each move or
    # cancellation, so that the client's calendar replaces the event it holds.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices,
                              default=Status.BOOKED, editable=False)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now,
                                             editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The photo the client's gallery opens with, chosen by the photographer
    # (booker.proofing.curation); never a photo hidden from the client.
    cover = models.ForeignKey("booker.Rush", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("cover photo"), editable=False)

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
    """A domain event (booker.events): something happened to a session, or, without a session,
    to what `subject` names (an order, an invitation) and the person `user`. The automation
    engine (booker.automation) turns them into messages."""

    session = models.ForeignKey(PhotoSession, on_delete=models.CASCADE, related_name="events",
                                null=True, blank=True)
    subject = models.CharField(max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=64, db_index=True)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # When the automation engine matched it against the rules (booker.automation.planner):
    # an event whose process died between its commit and its planning is found by this
    # staying empty, and planned by the sweeper.
    planned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("session event")
        verbose_name_plural = _("session events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} #{self.session_id or self.subject}"
