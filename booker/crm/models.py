"""The studio's CRM: people who wrote to the studio (leads) and the proof of what each person
agreed to, purpose by purpose (consents, kept as evidence under the GDPR)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Lead(models.Model):
    """Someone who wrote to the studio, from the site's contact page or elsewhere."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    subject = models.CharField(_("subject or session type"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(
        _("source"), max_length=255, blank=True, db_index=True,
        help_text=_("Where the request came from, e.g. the contact form of a page."),
    )
    source_url = models.CharField(_("source URL"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    # An existing client writing again: the lead shows up next to their account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name or self.email} — {self.created_at:%d/%m/%Y}" if self.created_at else (
            self.name or self.email
        )


class MarketingConsent(models.Model):
    """One person's consent to one purpose, and what became of it.

    Rows are never rewritten into another consent: a new request after a withdrawal is a new
    row, so the history of what each person agreed to, and when, stays readable. An opt-out
    (a company member who turns off the mail the studio sends by legitimate interest) is a row
    too: a consent withdrawn the moment it is recorded."""

    class Purpose(models.TextChoices):
        # Service mail (bookings, proofs, deliveries, invoices) is part of the contract: never
        # asked for, never withdrawn; no row is ever written for it (booker.crm.selectors).
        TRANSACTIONAL = "transactional", _("Service emails")
        MARKETING = "marketing", _("Newsletter and offers")
        PHOTO_USE = "photo_use", _("Photos shown on the site and portfolio")

    class Source(models.TextChoices):
        SITE_FORM = "site_form", _("Form on the site")
        ACCOUNT = "account", _("Client account")
        EMAIL_LINK = "email_link", _("Link in an email")
        STAFF = "staff", _("Recorded by the studio")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    email = models.EmailField(_("email address"), db_index=True)
    purpose = models.CharField(
        _("purpose"), max_length=32, choices=Purpose.choices, default=Purpose.MARKETING
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices,
                              default=Source.SITE_FORM)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    consent_text = models.TextField(_("consent text shown"))
    source_url = models.CharField(_("page of the request"), max_length=500, blank=True)
    # A keyed hash: proves that two requests came from one address without keeping the address.
    ip_hash = models.CharField(_("hashed IP address"), max_length=64, blank=True)
    # Only the hash of the emailed confirmation token: a leaked database confirms nobody.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    requested_at = models.DateTimeField(_("requested"))
    last_sent_at = models.DateTimeField(_("confirmation email sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_purpose_display()}, {self.get_status_display()})"
