"""The calendars (issue 17): the photographer's private feed of their sessions, and their own
calendars whose events block the booking slots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarFeed(models.Model):
    """The secret address of a photographer's sessions as an ICS feed. The token is the only
    credential (calendar apps send no login): a new address revokes the old one, which then
    answers 404. Revoked rows stay, to tell when an address stopped working."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("photographer"),
                             on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                    name="one_live_calendar_feed_per_user"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class ExternalCalendar(models.Model):
    """A photographer's own calendar (an ICS address from Google, Apple, Outlook…), fetched
    every 15 minutes (booker.tasks.refresh_external_calendars): its events are busy times."""

    photographer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("photographer"),
                                     on_delete=models.CASCADE,
                                     related_name="external_calendars")
    url = models.URLField(_("calendar address (ICS)"), max_length=1000)
    last_fetched_at = models.DateTimeField(_("last fetched at"), null=True, blank=True,
                                           editable=False)
    # The last fetch's failure, empty once a fetch succeeds: the busy times then are those of
    # the last successful fetch.
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("external calendar")
        verbose_name_plural = _("external calendars")

    def __str__(self) -> str:
        return self.url


class ExternalBusy(models.Model):
    """One busy interval of an external calendar (an occurrence of one of its events)."""

    calendar = models.ForeignKey(ExternalCalendar, on_delete=models.CASCADE,
                                 related_name="busy")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    uid = models.CharField(_("event UID"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("busy time")
        verbose_name_plural = _("busy times")
        indexes = [models.Index(fields=["calendar", "start"])]

    def __str__(self) -> str:
        return f"{self.start} – {self.end}"
