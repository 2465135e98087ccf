from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from booker.errors import StudioError
from booker.people.models import Company
from booker.sessions.models import Package, PhotoSession
from booker.storage import originals_storage


class Weekday(models.IntegerChoices):
    # date.weekday()'s numbering: Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SessionType(models.Model):
    """What a client books online: how long, where, for how much, with which package, and
    within which notice and horizon."""

    class Location(models.TextChoices):
        STUDIO = "studio", _("at the studio")
        ON_SITE = "on_site", _("on site")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    summary = models.CharField(_("short description"), max_length=300, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(5)]
    )
    buffer_before_minutes = models.PositiveIntegerField(
        _("buffer before (minutes)"), default=0,
        help_text=_("Free time kept before the session (setting up, travel)."),
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("buffer after (minutes)"), default=0,
        help_text=_("Free time kept after the session (tidying up, travel)."),
    )
    location_kind = models.CharField(
        _("location"), max_length=16, choices=Location.choices, default=Location.STUDIO
    )
    # On site: the travel fee by distance band, which the client picks while booking:
    # [{"up_to_km": 15, "fee": 0}, {"up_to_km": 40, "fee": 45}, {"up_to_km": 80, "fee": 90}].
    travel_fees = models.JSONField(
        _("travel fees"), default=list, blank=True,
        help_text=_('On site only: a list such as [{"up_to_km": 15, "fee": 0}, '
                    '{"up_to_km": 40, "fee": 45}] (euros incl. VAT). Farther than the last '
                    'band: the client calls the studio.'),
    )
    package = models.ForeignKey(
        Package, verbose_name=_("package"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="session_types",
        help_text=_("Photos included and price of an extra photo, copied onto the session."),
    )
    price = models.DecimalField(_("price (incl. VAT)"), max_digits=8, decimal_places=2,
                                default=Decimal("0"))
    # A deposit is an amount or a share of the price: one of the two fields, or neither.
    deposit_amount = models.DecimalField(
        _("deposit (amount)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    deposit_percent = models.PositiveSmallIntegerField(
        _("deposit (% of the price)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    minimum_notice_hours = models.PositiveIntegerField(
        _("minimum notice (hours)"), default=24,
        help_text=_("No slot starts sooner than this after the moment of booking."),
    )
    horizon_days = models.PositiveIntegerField(
        _("booking horizon (days)"), default=60,
        help_text=_("No slot starts later than this after the moment of booking."),
    )
    slot_increment_minutes = models.PositiveIntegerField(
        _("slot increment (minutes)"), default=30, validators=[MinValueValidator(5)],
        help_text=_("Slots start every so many minutes within the opening hours."),
    )
    needs_approval = models.BooleanField(
        _("needs the studio's approval"), default=False,
        help_text=_("A booking is a request until the studio accepts it."),
    )
    cancellation_policy = models.TextField(_("cancellation policy"), blank=True)
    # [{"days_before": 14, "refund_percent": 100}, {"days_before": 2, "refund_percent": 50}]:
    # a cancellation at least `days_before` days ahead gets the largest matching refund.
    refund_rules = models.JSONField(
        _("refund rules"), default=list, blank=True,
        help_text=_('A list such as [{"days_before": 14, "refund_percent": 100}, '
                    '{"days_before": 2, "refund_percent": 50}].'),
    )
    is_active = models.BooleanField(_("bookable"), default=True)
    photographers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("photographers"), blank=True,
        related_name="session_types", limit_choices_to={"is_staff": True},
        help_text=_("Who can shoot it: the client books one of them or any available."),
    )
    contract_terms = models.TextField(
        _("contract terms"), blank=True,
        help_text=_("The contract the client accepts. Variables: {{ client_name }}, {{ date }}, "
                    "{{ time }}, {{ session_type }}, {{ price }}, {{ deposit }}, {{ balance }}, "
                    "{{ balance_due_on }}, {{ cancellation_policy }}, {{ studio_name }}, "
                    "{{ travel_fee }}, {{ needs_approval }}."),
    )
    balance_due_days_before = models.PositiveIntegerField(
        _("balance due (days before the session)"), default=7,
    )
    reschedule_notice_hours = models.PositiveIntegerField(
        _("rescheduling allowed until (hours before)"), default=48,
        help_text=_("A client moves their session online until this many hours before it."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("session type")
        verbose_name_plural = _("session types")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deposit_amount__isnull=True) | Q(deposit_percent__isnull=True),
                name="session_type_one_deposit",
                violation_error_message=_("A deposit is an amount or a percentage, not both."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.deposit_amount is not None and self.deposit_percent is not None:
            errors["deposit_percent"] = _("A deposit is an amount or a percentage, not both.")
        if self.contract_terms.strip():
            from .contract import check_terms  # the contract renders bookings (this module's)

            try:
                check_terms(self.contract_terms)
            except StudioError as error:
                errors["contract_terms"] = str(error)
        if not _valid_travel_fees(self.travel_fees):
            errors["travel_fees"] = _(
                "Expected a list of {\"up_to_km\": N, \"fee\": euros}, farther bands after "
                "nearer ones."
            )
        if not _valid_refund_rules(self.refund_rules):
            errors["refund_rules"] = _(
                "Expected a list of {\"days_before\": N, \"refund_percent\": 0 to 100}."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def deposit(self) -> Decimal:
        """What the client pays at booking."""
        return self.deposit_for(self.price)

    def deposit_for(self, price: Decimal) -> Decimal:
        """The deposit on `price` (the type's price plus a travel fee)."""
        if self.deposit_amount is not None:
            return min(self.deposit_amount, price)
        if self.deposit_percent is not None:
            return (price * self.deposit_percent / 100).quantize(Decimal("0.01"))
        return Decimal("0")

    def travel_bands(self) -> list[tuple[int, Decimal]]:
        """(up to km, fee) of an on-site type, nearest first; none at the studio."""
        if self.location_kind != self.Location.ON_SITE:
            return []
        return [(int(b["up_to_km"]), Decimal(str(b["fee"]))) for b in self.travel_fees or []]

    def refund_percent(self, days_before: float) -> int:
        """The share refunded for a cancellation `days_before` days ahead of the session."""
        matching = [rule["refund_percent"] for rule in self.refund_rules or []
                    if days_before >= rule["days_before"]]
        return max(matching, default=0)


def _valid_travel_fees(bands) -> bool:
    if not isinstance(bands, list):
        return False
    last = 0
    for band in bands:
        if not isinstance(band, dict) or set(band) != {"up_to_km", "fee"}:
            return False
        km, fee = band["up_to_km"], band["fee"]
        if not isinstance(km, int) or isinstance(km, bool) or km <= last:
            return False
        if not isinstance(fee, int | float | str) or isinstance(fee, bool):
            return False
        try:
            if Decimal(str(fee)) < 0:
                return False
        except ArithmeticError:
            return False
        last = km
    return True


def _valid_refund_rules(rules) -> bool:
    if not isinstance(rules, list):
        return False
    for rule in rules:
        if not isinstance(rule, dict) or set(rule) != {"days_before", "refund_percent"}:
            return False
        days, percent = rule["days_before"], rule["refund_percent"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (days, percent)):
            return False
        if days < 0 or not 0 <= percent <= 100:
            return False
    return True


class WeeklyHours(models.Model):
    """One stretch of a photographer's working week (several a day for a lunch break)."""

    photographer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("photographer"), on_delete=models.CASCADE,
        related_name="weekly_hours", limit_choices_to={"is_staff": True},
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        ordering = ["photographer", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="weekly_hours_start_before_end",
                violation_error_message=_("The hours end after they start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class DateOverride(models.Model):
    """A day that is not like the week: closed (a holiday), or open on other hours (a Saturday
    open). Without a photographer it is the whole studio's."""

    photographer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("photographer"), on_delete=models.CASCADE,
        related_name="date_overrides", null=True, blank=True, limit_choices_to={"is_staff": True},
        help_text=_("Empty: the whole studio."),
    )
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed"), default=False)
    start = models.TimeField(_("from"), null=True, blank=True)
    end = models.TimeField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("date override")
        verbose_name_plural = _("date overrides")
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(closed=True, start__isnull=True, end__isnull=True)
                           | Q(closed=False, start__lt=F("end"))),
                name="date_override_closed_or_hours",
                violation_error_message=_(
                    "A date is either closed, or open with hours that end after they start."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.closed:
            return f"{self.date:%d/%m/%Y} — {_('closed')}"
        return f"{self.date:%d/%m/%Y} {self.start:%H:%M}–{self.end:%H:%M}"


class BusyTime(models.Model):
    """A private busy time entered by the studio: no slot of that photographer overlaps it."""

    photographer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("photographer"), on_delete=models.CASCADE,
        related_name="busy_times", limit_choices_to={"is_staff": True},
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("busy time")
        verbose_name_plural = _("busy times")
        ordering = ["start"]
        indexes = [models.Index(fields=["photographer", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="busy_time_start_before_end",
                violation_error_message=_("A busy time ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.reason or str(_("busy"))


class BookingQuestion(models.Model):
    """One question of a session type's intake questionnaire, asked while booking."""

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        CHOICE = "choice", _("choice")
        DATE = "date", _("date")
        FILE = "file", _("file")

    session_type = models.ForeignKey(
        SessionType, verbose_name=_("session type"), on_delete=models.CASCADE,
        related_name="questions",
    )
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TEXT)
    choices = models.TextField(_("choices"), blank=True,
                               help_text=_("For a choice: one answer per line."))
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("booking question")
        verbose_name_plural = _("booking questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("A choice needs at least two answers.")})


def contract_upload_to(booking: Booking, filename: str) -> str:
    return f"contracts/{booking.created_at:%Y/%m}/{booking.token}.pdf"


def answer_upload_to(booking_token: str, filename: str) -> str:
    return f"bookings/{booking_token}/{filename}"


class Booking(models.Model):
    """A client's online booking of a session type: a held slot, then a request or a confirmed
    session (its PhotoSession), with the answers, the signed contract and the deposit."""

    class Status(models.TextChoices):
        # A context of their own: "confirmed" elsewhere labels a date ("confirmé le").
        HELD = "held", pgettext_lazy("booking status", "slot held")
        REQUESTED = "requested", pgettext_lazy("booking status", "requested")
        CONFIRMED = "confirmed", pgettext_lazy("booking status", "confirmed")
        DONE = "done", pgettext_lazy("booking status", "done")
        CANCELLED = "cancelled", pgettext_lazy("booking status", "cancelled")
        DECLINED = "declined", pgettext_lazy("booking status", "declined")
        EXPIRED = "expired", pgettext_lazy("booking status", "expired")

    token = models.CharField(max_length=32, unique=True, editable=False)
    session_type = models.ForeignKey(SessionType, verbose_name=_("session type"),
                                     on_delete=models.PROTECT, related_name="bookings")
    photographer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("photographer"), on_delete=models.PROTECT,
        related_name="bookings_to_shoot",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The slot with the type's buffers: what the photographer's calendar loses.
    blocks_from = models.DateTimeField(editable=False)
    blocks_until = models.DateTimeField(editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.HELD)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now,
                                             editable=False)
    held_until = models.DateTimeField(_("held until"), null=True, blank=True)
    # The Django session of a visitor who has no account yet: they hold the slot until they
    # log in or sign up (claim_booking).
    holder_key = models.CharField(max_length=64, blank=True, editable=False)
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("client"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="bookings",
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="bookings_made",
    )
    answers = models.JSONField(_("answers"), default=list, blank=True)
    price = models.DecimalField(_("price (incl. VAT)"), max_digits=8, decimal_places=2)
    deposit = models.DecimalField(_("deposit"), max_digits=8, decimal_places=2)
    # On site: the distance band the client chose and its fee (included in the price).
    travel_up_to_km = models.PositiveIntegerField(_("travel up to (km)"), null=True, blank=True)
    travel_fee = models.DecimalField(_("travel fee"), max_digits=8, decimal_places=2,
                                     default=Decimal("0"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    contract_text = models.TextField(_("contract"), blank=True)
    contract_signed_name = models.CharField(_("signed by"), max_length=200, blank=True)
    contract_signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    contract_signed_ip = models.GenericIPAddressField(_("signed from"), null=True, blank=True)
    contract_pdf = models.FileField(_("contract (PDF)"), storage=originals_storage,
                                    upload_to=contract_upload_to, max_length=255, blank=True)
    deposit_paid = models.DecimalField(_("deposit paid"), max_digits=8, decimal_places=2,
                                       default=Decimal("0"))
    # The payments recorded ("order 100023"), so that a payment heard twice counts once.
    deposit_references = models.JSONField(default=list, blank=True, editable=False)
    refunded = models.DecimalField(_("refunded"), max_digits=8, decimal_places=2,
                                   default=Decimal("0"))
    session = models.OneToOneField(
        PhotoSession, verbose_name=_("session"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="booking",
    )
    balance_due_on = models.DateField(_("balance due on"), null=True, blank=True)
    note = models.TextField(_("studio's reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["photographer", "blocks_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="booking_starts_before_end",
            ),
            models.CheckConstraint(
                condition=Q(client__isnull=True) | Q(company__isnull=True),
                name="booking_client_or_company",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_type} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def deposit_due(self) -> Decimal:
        return max(self.deposit - self.deposit_paid, Decimal("0"))

    @property
    def is_company(self) -> bool:
        return self.company_id is not None

    @property
    def balance(self) -> Decimal:
        return max(self.price - self.deposit, Decimal("0"))


class HeadshotDay(models.Model):
    """A company's day (or half-day) of portraits on site: the studio confirms the company's
    booking (a quote), then opens it; each member picks a short slot inside it from the team
    portal. Each member's photos are theirs (the slot names who sat, for their selection)."""

    booking = models.OneToOneField(Booking, verbose_name=_("booking"), on_delete=models.CASCADE,
                                   related_name="headshot_day")
    slot_minutes = models.PositiveIntegerField(
        _("minutes per person"), default=10, validators=[MinValueValidator(5)],
    )
    is_open = models.BooleanField(_("members may pick their slot"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("headshot day")
        verbose_name_plural = _("headshot days")

    def __str__(self) -> str:
        return str(self.booking)


class HeadshotSlot(models.Model):
    """One member's few minutes in front of the camera on a headshot day."""

    day = models.ForeignKey(HeadshotDay, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("member"),
                               on_delete=models.CASCADE, related_name="headshot_slots")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("headshot slot")
        verbose_name_plural = _("headshot slots")
        ordering = ["starts_at"]
        constraints = [
            # Two members racing for one slot: the database keeps one.
            models.UniqueConstraint(fields=["day", "starts_at"], name="headshot_slot_once"),
            models.UniqueConstraint(fields=["day", "member"], name="headshot_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.starts_at:%H:%M}"
