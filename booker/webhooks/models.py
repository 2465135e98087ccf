"""Where the studio's events go out (endpoints), and what went out (deliveries and their
attempts)."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.sessions.models import SessionEvent

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret: 32 random bytes, prefixed so that it is recognised where it is
    pasted (a CRM's settings, a leak scanner)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """An address of another system that receives the chosen events, signed with its own
    secret."""

    url = models.URLField(_("address"), max_length=500,
                          help_text=_("The receiving system's address (https), on the public "
                                      "Internet."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Event names (booker.events.Event values); empty means every event. A list rather than
    # a field with choices: a new event name needs no migration here.
    events = models.JSONField(_("events sent"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret,
                              editable=False)
    # Deliveries given up in a row (a success puts it back to 0): at DISABLE_AFTER the
    # endpoint is switched off (booker.webhooks.services).
    consecutive_failures = models.PositiveIntegerField(_("failed deliveries in a row"),
                                                       default=0, editable=False)
    disabled_at = models.DateTimeField(_("switched off automatically"), null=True,
                                       blank=True, editable=False)
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    # Since when it receives events (made, or switched back on): the sweeper that plans the
    # events whose planning was lost looks no further back, so an endpoint that was off does
    # not get what happened meanwhile.
    active_since = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event_name: str) -> bool:
        return not self.events or event_name in self.events


class WebhookDelivery(models.Model):
    """One stored event for one endpoint: sent until the endpoint answers 2xx, with a growing
    delay between attempts. Unique per (endpoint, event): an event heard twice delivers once,
    and a replay is a new attempt of this same delivery (same id in the body)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        SUCCEEDED = "succeeded", _("accepted by the receiver")
        FAILED = "failed", _("failed, will retry")
        DEAD = "dead", _("failed, given up")

    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("webhook endpoint"),
                                 on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(SessionEvent, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="webhook_deliveries")
    event_name = models.CharField(_("event type"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PENDING)
    # Attempts of the current round (a replay starts a new one); every attempt of every round
    # is kept in WebhookAttempt.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    replays = models.PositiveSmallIntegerField(_("replays by staff"), default=0)
    due_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("received"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True,
                                                        blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("planned"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"],
                                    name="webhook_delivery_once_per_event"),
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.endpoint}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, how long, what the receiver answered (or why nothing
    reached it)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    started_at = models.DateTimeField(_("attempted at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.CharField(_("start of the response"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    succeeded = models.BooleanField(_("accepted"), default=False)
    replay = models.BooleanField(_("replayed by staff"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.started_at:%Y-%m-%d %H:%M:%S}"
