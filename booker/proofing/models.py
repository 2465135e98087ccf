from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from booker.intake.models import Rush
from booker.sessions.models import PhotoSession


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
    # Who picked it (a member for themselves, or a company's lead for the team): the team's
    # activity log reads it. Cleared when the photo is unpicked.
    picked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["selection", "rush"], name="one_item_per_rush"),
        ]
        indexes = [models.Index(fields=["selection", "picked"])]

    def __str__(self) -> str:
        return f"{self.rush} ({'picked' if self.picked else 'not picked'})"
