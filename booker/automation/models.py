"""The automation engine's data: what to send (templates), when (rules), what was sent (the
outbox) and what staff must do (tasks)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.events import Event
from booker.sessions.models import Package, PhotoSession, SessionEvent

EVENT_CHOICES = [(e.value, e.value) for e in Event]


class EmailTemplate(models.Model):
    """An email the studio sends, written in French by staff: subject, HTML and text, in Django's
    template language over the variables listed beside the editor (booker.automation.context)."""

    class Kind(models.TextChoices):
        # Needed to serve the client (a booking, their photos, an order): always sent.
        TRANSACTIONAL = "transactional", _("Service message (always sent)")
        # Reminders and review requests: a client may turn them off in "Mon compte".
        REMINDER = "reminder", _("Reminder (the client may turn these off)")
        # Offers: only to those who consented to marketing mail.
        MARKETING = "marketing", _("Marketing (only with consent)")

    key = models.SlugField(_("key"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.TRANSACTIONAL)
    subject = models.CharField(_("subject"), max_length=200)
    body_html = models.TextField(_("HTML body"))
    body_text = models.TextField(_("text body"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


OLD_WEBHOOK = "webhook"


class Rule(models.Model):
    """When EVENT [and CONDITIONS] then ACTION [after DELAY]."""

    class Action(models.TextChoices):
        EMAIL = "email", _("Send an email")
        TASK = "task", _("Create a task for staff")

    class Audience(models.TextChoices):
        ANY = "any", _("Private clients and companies")
        B2C = "b2c", _("Private clients only")
        B2B = "b2b", _("Companies only")

    class Anchor(models.TextChoices):
        EVENT = "event", _("after the event")
        BEFORE_SESSION = "before_session", _("before the session starts")
        BEFORE_DELIVERY_EXPIRES = "before_delivery_expires", _("before the downloads close")
        # An online booking's balance (booker.booking): the date its session type sets.
        BEFORE_BALANCE_DUE = "before_balance_due", _("before the balance is due")

    class Recipient(models.TextChoices):
        CLIENT = "client", _("The client (B2C) or the company's members (B2B)")
        COMPANY_MANAGERS = "company_managers", _("The company's managers (B2B)")
        PHOTOGRAPHER = "photographer", _("The session's photographer")
        RETOUCHER = "retoucher", _("The assigned retoucher")
        SHOP_MANAGERS = "shop_managers", _("The shop managers")
        STUDIO = "studio", _("The studio's address")
        BILLING = "billing", _("The company's billing address")

    key = models.SlugField(_("key"), max_length=64, unique=True, null=True, blank=True,
                           help_text=_("Set on the rules the studio ships with."))
    name = models.CharField(_("name"), max_length=160)
    is_active = models.BooleanField(_("active"), default=True)
    event = models.CharField(_("when"), max_length=64, choices=EVENT_CHOICES)
    # Conditions.
    audience = models.CharField(_("for"), max_length=8, choices=Audience.choices,
                                default=Audience.ANY)
    package = models.ForeignKey(Package, verbose_name=_("only for the package"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    min_amount = models.DecimalField(
        _("only from the amount (€)"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("Events with an amount (orders, extras): below it, nothing is done."),
    )
    # Only the people of a marketing segment (booker.marketing), e.g. "wedding clients
    # delivered more than 11 months ago": the studio's own audiences for its automations.
    segment = models.ForeignKey(
        "booker.Segment", verbose_name=_("only for the segment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="rules",
        help_text=_("Only the recipients who are in this segment when the event happens."),
    )
    unless = models.JSONField(
        _("unless meanwhile"), default=list, blank=True,
        help_text=_("Nothing is done if one of these events happened between the trigger and "
                    "the due time (e.g. no reminder once the selection is submitted)."),
    )
    # Action.
    action = models.CharField(_("action"), max_length=8, choices=Action.choices,
                              default=Action.EMAIL)
    template = models.ForeignKey(EmailTemplate, verbose_name=_("email template"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="rules")
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    task_title = models.CharField(_("task title"), max_length=200, blank=True)
    # Delay.
    delay = models.DurationField(_("delay"), default=timedelta(0),
                                 help_text=_("e.g. 3 days, 0:00:00 for at once."))
    anchor = models.CharField(_("counted"), max_length=24, choices=Anchor.choices,
                              default=Anchor.EVENT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    """One action due for one recipient: the outbox. `key` (event × rule × recipient) is unique,
    so a message is planned once however often its event is heard, and sent once however many
    workers look at it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, will retry")
        DEAD = "dead", _("failed, given up")
        SKIPPED = "skipped", _("not sent")
        # Accepted by the mail server, then returned by the recipient's (a delivery status
        # notification read by booker.bounces).
        BOUNCED = "bounced", _("bounced by the recipient's server")

    key = models.CharField(max_length=200, unique=True)
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="messages")
    event = models.ForeignKey(SessionEvent, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="messages")
    # "webhook": the rules' old unsigned call, retired by migration 0046 for the signed
    # endpoints of booker.webhooks; the messages it sent stay in the history.
    action = models.CharField(_("action"), max_length=8, choices=[
        *Rule.Action.choices, (OLD_WEBHOOK, _("Call a webhook (old rule)"))])
    session = models.ForeignKey(PhotoSession, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="messages", verbose_name=_("session"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="messages",
                             verbose_name=_("user"))
    recipient = models.CharField(_("recipient"), max_length=500)
    recipient_role = models.CharField(_("as"), max_length=24, blank=True)
    template_key = models.CharField(_("template"), max_length=64, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    due_at = models.DateTimeField(_("due"), default=timezone.now, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="message_due")]

    def __str__(self) -> str:
        return f"{self.template_key or self.action} → {self.recipient}"


class StaffTask(models.Model):
    """Something a rule asks staff to do (call a client whose selection is late…)."""

    title = models.CharField(_("task"), max_length=200)
    session = models.ForeignKey(PhotoSession, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="tasks", verbose_name=_("session"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("for"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="tasks")
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    message = models.OneToOneField(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="task")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done_at", "due_at"]

    def __str__(self) -> str:
        return self.title
