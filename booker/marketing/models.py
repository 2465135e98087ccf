"""Segments, their conditions, campaigns and each recipient's send."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    """People chosen by conditions on the data: those every condition matches."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentCondition(models.Model):
    segment = models.ForeignKey(Segment, verbose_name=_("segment"), on_delete=models.CASCADE,
                                related_name="conditions")
    # The registry (booker/marketing/conditions.py) holds the kinds; the shop adds its own at
    # start-up, so the choices are not frozen into a migration.
    kind = models.CharField(_("condition"), max_length=64)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    text = models.CharField(_("text"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["pk"]

    def __str__(self) -> str:
        from booker.marketing import conditions  # the kinds read the models: imported late

        kind = conditions.get(self.kind)
        return str(kind.label if kind else self.kind)

    def params(self):
        from booker.marketing import conditions

        return conditions.Params(self.number, self.date, self.text)

    def clean(self) -> None:
        from booker.marketing import conditions

        kind = conditions.get(self.kind)
        if kind is None:
            raise ValidationError({"kind": _("Unknown condition.")})
        missing = [name for name in kind.requires if getattr(self, name) in (None, "")]
        if missing:
            raise ValidationError({name: _("This condition needs it.") for name in missing})


class Campaign(models.Model):
    """One mailing to a segment: the content as the site rendered it when it was sent, and the
    list of recipients taken then (a person who joins the segment later is not added)."""

    name = models.CharField(_("name"), max_length=200)
    segment = models.ForeignKey(Segment, verbose_name=_("segment"), on_delete=models.PROTECT,
                                related_name="campaigns")
    subject = models.CharField(_("subject"), max_length=300)
    body_html = models.TextField(_("HTML body"))
    body_text = models.TextField(_("text body"))
    # Where the content comes from (the site's snippet), for the staff to find it again.
    source = models.CharField(_("content"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class CampaignSend(models.Model):
    """One recipient of one campaign, and what became of their email."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent")
        FAILED = "failed", _("Failed, retried")
        BOUNCED = "bounced", _("Bounced")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE,
                                 related_name="sends")
    email = models.EmailField(_("email address"), db_index=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="+")
    company = models.ForeignKey("booker.Company", verbose_name=_("company"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING, db_index=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    # The sender holding this email until then (booker/marketing/sender.py).
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    detail = models.CharField(_("detail"), max_length=300, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("campaign email")
        verbose_name_plural = _("campaign emails")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["campaign", "email"],
                                               name="campaign_send_once_per_email")]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.email}"
