from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.people.models import Company
from booker.retouch.models import FinalPhoto
from booker.sessions.models import PhotoSession


class Delivery(models.Model):
    """What the client received."""

    session = models.OneToOneField(PhotoSession, on_delete=models.CASCADE,
                                   related_name="delivery")
    delivered_at = models.DateTimeField(default=timezone.now)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(blank=True)
    # Downloads stay open until then (BOOKER_DOWNLOAD_DAYS after delivery; the studio may push
    # it back); the client is told a week before (the "delivery-expiring" rule).
    expires_at = models.DateTimeField(_("downloads open until"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.session}"


class DownloadLog(models.Model):
    """Every download of a delivery: one final, or the whole ZIP (final empty)."""

    class Size(models.TextChoices):
        # The final as delivered (and the ZIP of them): what a printer needs.
        PRINT = "print", _("print")
        # The brand library's copy for screens: long side 2048 px, JPEG, sRGB.
        WEB = "web", _("web")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="downloads")
    final = models.ForeignKey(FinalPhoto, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, default=Size.PRINT)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.delivery} — {self.final or 'ZIP'}"


class PhotoTag(models.Model):
    """A word a company's photos are found by in its brand library ("équipe", "salon 2026"):
    the company's own, put on its finals by its admins or by the studio."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="photo_tags",
                                verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=60)
    finals = models.ManyToManyField(FinalPhoto, related_name="tags", blank=True,
                                    verbose_name=_("photos"))

    class Meta:
        verbose_name = _("photo tag")
        verbose_name_plural = _("photo tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "company", name="photo_tag_unique_per_company"),
        ]

    def __str__(self) -> str:
        return self.name


class HiddenPhoto(models.Model):
    """A final a company admin has taken out of the members' brand library (a photo of
    someone who left, an unflattering one): its row is the whole state, deleted to show it
    again. The admins still see it, marked."""

    final = models.OneToOneField(FinalPhoto, on_delete=models.CASCADE, related_name="hidden")
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    hidden_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hidden photo")
        verbose_name_plural = _("hidden photos")

    def __str__(self) -> str:
        return str(self.final)


class ShareLink(models.Model):
    """A view-only link a client gives their family (/partage/<token>/): the web copies of the
    finals the creator saw when they made it, never the HD files, no login. It dies when it
    expires, is revoked, or its creator loses the session (asked at every visit)."""

    session = models.ForeignKey(PhotoSession, on_delete=models.CASCADE,
                                related_name="share_links", verbose_name=_("session"))
    # The credential itself (secrets.token_urlsafe(24): 192 random bits): whoever holds the
    # address sees the photos, as the creator was told.
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("open until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    # The finals the creator saw at share time: a photo hidden or added later is not shared.
    finals = models.ManyToManyField(FinalPhoto, related_name="+", verbose_name=_("photos"))

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.session} — {self.created_at:%Y-%m-%d}"
