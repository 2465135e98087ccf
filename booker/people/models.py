"""The people of the studio: one user model for every surface, and client companies."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively, so they are stored lower-cased and trimmed."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=normalise_email(username))

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("Users must have an email address.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: clients, company members, photographers, retouchers, editors.

    What they may do comes from their groups (roles); clients are plain non-staff users.
    """

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Service messages (bookings, photos ready, orders) always go out; reminders and review
    # requests only while this is on ("Mon compte", or the link at the foot of those emails).
    reminder_emails = models.BooleanField(_("reminders and review requests by email"),
                                          default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the studio back office."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    # Wagtail's and Oscar's templates read `username` in a few places; email is ours.
    @property
    def username(self) -> str:
        return self.email


class Company(models.Model):
    """A B2B client: sessions can belong to it, its members see them on the team portal."""

    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    billing_email = models.EmailField(_("billing email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    pays_on_invoice = models.BooleanField(_("pays on invoice"), default=True)
    # The team portal's address (/portal/entreprise/<slug>/): readable, stable, unique.
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    annual_budget = models.DecimalField(
        _("annual photo budget"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("Shown on the company's dashboard against this year's spend."))
    order_approval_threshold = models.DecimalField(
        _("orders above this amount need an approver"), max_digits=10, decimal_places=2,
        null=True, blank=True,
        help_text=_("Empty: no approval. An order whose total is above it waits for an "
                    "approver or an admin of the company before it is placed."))
    # Optional: invitations to the team go only to these domains ("acme.fr, acme.com").
    email_domains = models.CharField(
        _("email domains"), max_length=255, blank=True,
        help_text=_("Comma separated (acme.fr, acme.com). Empty: an admin may invite any "
                    "address."))
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(User, through="Membership", related_name="companies")

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_company_slug(self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)


    def allowed_domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",")
                if d.strip()]


def unique_company_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:70] or "entreprise"
    slug, n = base, 1
    while Company.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class Membership(models.Model):
    """A user's place in a company. Admins (the office manager) invite, remove and change
    roles; approvers submit selections, approve orders and book for the company; members pick,
    comment and download what is delivered to them."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("admin")
        APPROVER = "approver", _("approver")
        MEMBER = "member", _("member")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.get_role_display()})"

    @property
    def leads(self) -> bool:
        return self.role in LEAD_ROLES


class SingleUseLink(models.Model):
    """An emailed link that works once, until a date, unless revoked: its dates, who sent it,
    and the nonce its signature carries (a resend draws a new one, which kills the old link).
    What it says of itself (`state`) follows from those dates."""

    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("last sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    nonce = models.CharField(max_length=32, editable=False)

    class Meta:
        abstract = True

    pending_label = _("waiting for an answer")

    @property
    def state(self) -> str:
        """"used", "revoked", "expired" or "pending" (the link works)."""
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_state_display(self) -> str:
        return {
            "used": _("accepted"),
            "revoked": _("revoked"),
            "expired": _("expired"),
            "pending": self.pending_label,
        }[self.state]


class Invitation(SingleUseLink):
    """A link the studio sent a new client to choose their password: single use, expiring,
    revocable. The link is a signature of (pk, nonce), so rendering the email again (a retried
    send) gives the same link; a resend draws a new nonce, which kills the old link."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations",
                             verbose_name=_("client"))
    # Named by string: the people are the Booker's lowest layer and import no session code.
    session = models.ForeignKey("booker.PhotoSession", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+", verbose_name=_("session"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.user)

    pending_label = _("waiting for the client")


class TeamInvitation(SingleUseLink):
    """A company admin asked someone to join the team: a signed link, single use, expiring,
    revocable (booker.teams.services). Accepting it links the person's one login (or opens it)
    to the company with `role`. Like `Invitation`, the link signs (pk, nonce): a resend draws
    a new nonce, which kills the old link."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE,
                                related_name="team_invitations", verbose_name=_("company"))
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role.choices,
                            default=Membership.Role.MEMBER)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("accepted by"))

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    def save(self, *args, **kwargs) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    pending_label = _("waiting for an answer")


# Who acts for the company: books its sessions, submits its selections, approves its orders,
# reads its invoices and receives the team's notices (balance due, headshot day open).
LEAD_ROLES = frozenset({Membership.Role.ADMIN, Membership.Role.APPROVER})


class PersonalDataErasure(models.Model):
    """A person's or a company's erasure (GDPR, booker.privacy): who asked it, when, whether
    the studio confirmed that the files go too, where the worker's job stands, and how many
    rows and files each part erased. It keeps nothing of what was erased; the account or
    company it points to is the anonymised one."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("erasure status", "queued")
        RUNNING = "running", pgettext_lazy("erasure status", "running")
        DONE = "done", pgettext_lazy("erasure status", "done")
        FAILED = "failed", pgettext_lazy("erasure status", "failed")

    person = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("person"))
    # Set for a company's erasure (then `person` is empty).
    company = models.ForeignKey(Company, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("company"))
    # Written by booker.people.machine.ERASURE only.
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.QUEUED)
    # Why the last run stopped (the storage's or the database's error), for the studio.
    failure = models.TextField(_("reason of the failure"), blank=True)
    erased_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("erased by"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    # Unset while the erasure runs, or if it stopped half way (run it again: it resumes).
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    files_confirmed = models.BooleanField(_("deletion of the files confirmed"), default=False)
    # {"sections": {name: rows erased or anonymised}, "files": {tier: files deleted}}
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.started_at:%Y-%m-%d})"
