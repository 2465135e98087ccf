"""The studio's CRM: people who wrote to the studio (leads), the proof of what each person
agreed to, purpose by purpose (consents, kept as evidence under the GDPR), and one contact
record per person and per company that gathers them, with the studio's notes and follow-up
tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Lead(models.Model):
    """Someone who wrote to the studio, from the site's contact page or elsewhere."""

    # The pipeline's stages, moved by booker.crm.machine.LEAD only.
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUOTED = "quoted", _("Quote sent")
        BOOKED = "booked", _("Booked")
        LOST = "lost", _("Lost")

    class Origin(models.TextChoices):
        FORM = "form", _("Contact form")
        BOOKING = "booking", _("Booking")
        REFERRAL = "referral", _("Referral")
        FAIR = "fair", _("Fair or show")
        OTHER = "other", _("Other")

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
        _("stage"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices,
                              default=Origin.OTHER, db_index=True)
    estimated_value = models.DecimalField(
        _("estimated value (€)"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("What the studio expects this request to bring, taxes included."))
    # An existing client writing again: the lead shows up next to their account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    # The person (or company) behind the lead: set when the lead is recorded, moved to the
    # account's contact when the person opens one (booker.crm.services.attach_account).
    contact = models.ForeignKey(
        "booker.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    # A request to book (a session type that needs the studio's approval) is a lead of its own:
    # approved, it is booked; declined or withdrawn, it is lost.
    booking = models.ForeignKey(
        "booker.Booking",
        verbose_name=_("booking request"),
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
        # Given to the studio outside the site, recorded by a member of staff.
        PAPER_FORM = "paper_form", _("Paper form signed")
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        EMAIL = "email", _("By email")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The address the consent was given from, as it was then (part of the proof); the person
    # it speaks for is `contact`, whose address may have changed since.
    email = models.EmailField(_("email address"), db_index=True)
    # Cascades only with an erasure: the studio's roles may not delete consents, so the admin
    # refuses to delete a contact that has some.
    contact = models.ForeignKey(
        "booker.Contact", verbose_name=_("contact"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="consents",
    )
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
    # A consent given outside the site (a signed form, a phone call): the member of staff who
    # recorded it, and when (its other dates are when the person said it).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_purpose_display()}, {self.get_status_display()})"


class Contact(models.Model):
    """One person or one company the studio deals with, whatever door they came in by: the
    CRM's record that their leads, consents, sessions, messages, notes and tasks hang on.

    A person is their account when they have one, else their email address (a lead from the
    form, a newsletter subscriber); opening an account with that address makes the same
    contact the account's. A company is its `Company` row."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Private client")
        COMPANY = "company", _("Company")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact",
    )
    company = models.OneToOneField(
        "booker.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contact",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "email", "pk"]
        constraints = [
            # A company contact is its company, never a person's account; a person's is never
            # a company's.
            models.CheckConstraint(
                condition=(Q(kind="person", company__isnull=True)
                           | Q(kind="company", company__isnull=False, user__isnull=True)),
                name="contact_kind_matches_its_link",
            ),
            # One person, one record: two contacts of one address would split their history.
            models.UniqueConstraint(
                fields=["email"], condition=Q(kind="person") & ~Q(email=""),
                name="contact_person_email_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or f"#{self.pk}"


class ContactNote(models.Model):
    """What a member of the studio wrote down about a contact (a call, a preference), on its
    timeline; about one of its sessions when written on the session's page."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="notes")
    session = models.ForeignKey("booker.PhotoSession", verbose_name=_("session"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="crm_notes")
    body = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("written"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.body[:60]


class ContactTask(models.Model):
    """A follow-up the studio owes a contact (call back, send a quote), with a due date and the
    member of staff it falls to."""

    contact = models.ForeignKey(Contact, verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="tasks")
    session = models.ForeignKey("booker.PhotoSession", verbose_name=_("session"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="crm_tasks")
    title = models.CharField(_("task"), max_length=200)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="crm_tasks")
    done = models.BooleanField(_("done"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")
        ordering = ["done", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title
