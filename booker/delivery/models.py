from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
