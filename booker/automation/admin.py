"""The automation engine in the studio's admin: the rules ("when … then … after …"), the
emails' texts with their variables and a preview on a real session, the outbox (read only:
it is the evidence of what was sent) and the staff's tasks.

Registered by importing this module from booker/admin.py. It lives in the engine's layer, so it
imports no view: the studio page's panels are built in booker/views/studio.py from
booker/automation/selectors.py. The rules it applies (the defaults are never deleted, the
template checks and preview) are the engine's: booker/automation/selectors.py and services.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from csp.decorators import csp_replace
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from booker import selectors
from booker.automation import context
from booker.automation.models import EmailTemplate, Message, Rule, StaffTask
from booker.automation.selectors import deletable_rules, is_default_rule, preview, syntax_error
from booker.automation.services import (
    delete_rules,
    mark_tasks_done,
    reopen_tasks,
    retry_message,
    switch_rules,
)
from booker.events import Event

S = Message.Status
AUTOMATION_CSS = {"all": ["booker/backoffice.css", "booker/automation.css"]}


def event_choices() -> list[tuple[str, str]]:
    return [(e.value, context.event_label(e.value)) for e in Event]


# --- Rules ----------------------------------------------------------------------------------------


class RuleForm(forms.ModelForm):
    """A rule in the studio's words: the event by its name, the recipients and the events that
    cancel it as boxes to tick, the delay in days and hours."""

    event = forms.ChoiceField(label=_("when"), choices=event_choices)
    recipients = forms.MultipleChoiceField(
        label=_("recipients"), choices=Rule.Recipient.choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "bo-columns"}))
    unless = forms.MultipleChoiceField(
        label=_("unless meanwhile"), choices=event_choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "bo-columns"}),
        help_text=Rule._meta.get_field("unless").help_text)
    delay_days = forms.IntegerField(label=_("days"), min_value=0, max_value=3650, initial=0)
    delay_hours = forms.IntegerField(label=_("hours"), min_value=0, max_value=23, initial=0)

    class Meta:
        model = Rule
        fields = ["name", "is_active", "event", "audience", "package", "min_amount", "unless",
                  "action", "template", "recipients", "task_title", "anchor"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        delay = self.instance.delay or timedelta(0)
        self.fields["delay_days"].initial = delay.days
        self.fields["delay_hours"].initial = delay.seconds // 3600

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == Rule.Action.EMAIL and not cleaned.get("template"):
            self.add_error("template", _("Choose the email to send."))
        if action in (Rule.Action.EMAIL, Rule.Action.TASK) and not cleaned.get("recipients"):
            self.add_error("recipients", _("Tick at least one recipient."))
        self.instance.delay = timedelta(days=cleaned.get("delay_days") or 0,
                                        hours=cleaned.get("delay_hours") or 0)
        return cleaned


def describe_delay(rule: Rule) -> str:
    """"at once", "3 days after the event", "2 days before the session starts"…"""
    delay = rule.delay or timedelta(0)
    if not delay and rule.anchor == Rule.Anchor.EVENT:
        return gettext("at once")
    parts = []
    if delay.days:
        parts.append(ngettext("%(n)d day", "%(n)d days", delay.days) % {"n": delay.days})
    hours = delay.seconds // 3600
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    amount = " ".join(parts) or "0"
    return f"{amount} {rule.get_anchor_display()}"


# The recipients in a word, for the list of rules.
RECIPIENT_SHORT = {
    Rule.Recipient.CLIENT: _("client"),
    Rule.Recipient.COMPANY_MANAGERS: _("company managers"),
    Rule.Recipient.PHOTOGRAPHER: _("photographer"),
    Rule.Recipient.RETOUCHER: _("retoucher"),
    Rule.Recipient.SHOP_MANAGERS: _("shop managers"),
    Rule.Recipient.STUDIO: _("studio"),
    Rule.Recipient.BILLING: _("billing"),
}


class EventFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "event"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        used = set(model_admin.get_queryset(request).values_list("event", flat=True))
        return [(value, label) for value, label in event_choices() if value in used]

    def queryset(self, request: HttpRequest, queryset: QuerySet):
        return queryset.filter(event=self.value()) if self.value() else queryset


DEFAULT_RULE_NOTE = _("This rule ships with the studio: it cannot be deleted (it would come "
                      "back at the next update). Untick “active” to switch it off.")


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleForm
    list_display = ["name", "when", "audience", "action", "delay_display", "recipients_display",
                    "is_active"]
    list_display_links = ["name"]
    list_filter = ["is_active", "action", EventFilter]
    search_fields = ["name", "key", "task_title"]
    readonly_fields = ["default_note"]
    actions = ["switch_on", "switch_off"]

    class Media:
        css = AUTOMATION_CSS

    def get_fieldsets(self, request: HttpRequest, obj: Rule | None = None):
        head = [("default_note",)] if obj is not None and obj.key else []
        return [
            (None, {"fields": [*head, "name", "is_active"]}),
            (_("When"), {"fields": ["event", ("audience", "package", "min_amount"), "segment",
                                    "unless"]}),
            (_("Then"), {"fields": ["action", "template", "recipients", "task_title"]}),
            (_("After"), {"fields": [("delay_days", "delay_hours", "anchor")]}),
        ]

    @admin.display(description=_("default rule"))
    def default_note(self, obj: Rule) -> str:
        return format_html('<p class="bo-help">{}</p>', DEFAULT_RULE_NOTE)

    @admin.display(description=_("when"), ordering="event")
    def when(self, obj: Rule) -> str:
        return context.event_label(obj.event)

    @admin.display(description=_("delay"), ordering="delay")
    def delay_display(self, obj: Rule) -> str:
        return describe_delay(obj)

    @admin.display(description=_("recipients"))
    def recipients_display(self, obj: Rule) -> str:
        return ", ".join(str(RECIPIENT_SHORT.get(r, r)) for r in obj.recipients or []) or "—"

    # The defaults stay: deleting one is refused with the way to switch it off.

    def has_delete_permission(self, request: HttpRequest, obj: Rule | None = None) -> bool:
        if obj is not None and is_default_rule(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        rule = Rule.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if (rule is not None and is_default_rule(rule)
                and self.has_view_permission(request, rule)):
            # Refused, saying why and what to do instead.
            return TemplateResponse(request, "admin/booker/rule/cannot_delete.html", {
                **self.admin_site.each_context(request), "opts": self.opts, "rule": rule,
                "title": gettext("This rule cannot be deleted"), "note": DEFAULT_RULE_NOTE,
            }, status=403)
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request: HttpRequest):
        # "Delete selected" asks for each object's permission: the defaults would refuse the
        # whole batch. They are left out of it instead (and kept by delete_queryset).
        if isinstance(objs, QuerySet):
            objs = deletable_rules(objs)
        return super().get_deleted_objects(objs, request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        kept = delete_rules(queryset)
        if kept:
            self.message_user(request, ngettext(
                "%(n)d rule ships with the studio and was kept: untick “active” to switch it "
                "off.",
                "%(n)d rules ship with the studio and were kept: untick “active” to switch them "
                "off.", kept) % {"n": kept}, messages.WARNING)

    @admin.action(description=_("Switch on"), permissions=["change"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        n = switch_rules(queryset, on=True)
        self.message_user(request, ngettext("%(n)d rule switched on.", "%(n)d rules switched on.",
                                            n) % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Switch off"), permissions=["change"])
    def switch_off(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        n = switch_rules(queryset, on=False)
        self.message_user(request, ngettext("%(n)d rule switched off.",
                                            "%(n)d rules switched off.", n) % {"n": n},
                          messages.SUCCESS)


# --- Email templates: checking, previewing --------------------------------------------------------




class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "key", "kind", "subject", "body_html", "body_text"]
        widgets = {
            "body_html": forms.Textarea(attrs={"rows": 18, "class": "bo-code",
                                               "spellcheck": "false"}),
            "body_text": forms.Textarea(attrs={"rows": 14, "class": "bo-code"}),
            "subject": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }

    def _checked(self, name: str) -> str:
        source = self.cleaned_data.get(name, "")
        error = syntax_error(source)
        if error:
            raise forms.ValidationError(
                gettext("This text cannot be saved: %(error)s") % {"error": error})
        return source

    def clean_subject(self) -> str:
        return self._checked("subject")

    def clean_body_html(self) -> str:
        return self._checked("body_html")

    def clean_body_text(self) -> str:
        return self._checked("body_text")


# The preview page shows the email as a mailbox would: its own inline <style>, images from
# anywhere (a logo on a CDN), no script at all, no form, and only inside our own pages.
PREVIEW_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["https:", "http:", "data:"],
    "font-src": ["https:", "data:"],
    "script-src": ["'none'"],
    "script-src-attr": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
}


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    form = EmailTemplateForm
    list_display = ["name", "kind", "subject", "used_by", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "key", "subject", "body_text"]
    change_form_template = "admin/booker/emailtemplate/change_form.html"

    class Media:
        css = AUTOMATION_CSS

    def get_queryset(self, request: HttpRequest):
        # "Used by" lists each template's rules: fetched with the page, not once per row.
        return super().get_queryset(request).prefetch_related("rules")

    def get_readonly_fields(self, request: HttpRequest, obj: EmailTemplate | None = None):
        # The rules and the defaults find a template by its key.
        return ["key"] if obj is not None else []

    @admin.display(description=_("sent when"))
    def used_by(self, obj: EmailTemplate) -> str:
        rules = list(obj.rules.all())
        if not rules:
            return "—"
        return format_html_join(", ", "{}", ((context.event_label(r.event),) for r in rules))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        obj = self.get_object(request, object_id)
        extra = {**(extra_context or {}), **self._editor_context()}
        if obj is not None and self.has_view_permission(request, obj):
            shown = preview(obj, request.user, request.GET.get("session"))
            extra["preview"] = shown
            query = f"?session={shown.session.pk}" if shown.session else ""
            extra["preview_url"] = reverse("admin:booker_emailtemplate_preview",
                                           args=[obj.pk]) + query
        return super().change_view(request, object_id, form_url, extra)

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict | None = None) -> HttpResponse:
        extra = {**(extra_context or {}), **self._editor_context()}
        return super().add_view(request, form_url, extra)

    def _editor_context(self) -> dict[str, Any]:
        return {
            "variables": sorted(context.all_variables().items()),
            "variables_help": gettext(
                "Write them between double braces: {{ session_title }}. Conditions: "
                "{% if is_company %}…{% else %}…{% endif %}."),
        }

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            return HttpResponse(status=404)
        shown = preview(obj, request.user, request.GET.get("session"))
        if shown.rendered is None:
            response = TemplateResponse(request, "admin/booker/emailtemplate/preview_error.html",
                                        {"error": shown.error})
        else:
            response = HttpResponse(shown.rendered.html)
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    def get_urls(self):
        # The project's CSP mechanism (django-csp), replaced for this page alone, enforced and
        # report-only alike (dev.py reports only).
        view = self.admin_site.admin_view(csp_replace(PREVIEW_CSP)(
            csp_replace(PREVIEW_CSP, REPORT_ONLY=True)(self.preview_view)))
        view.model_admin = self  # as Django's own admin views: whose object the id is
        return [
            path("<id:object_id>/preview/", view, name="booker_emailtemplate_preview"),
            *super().get_urls(),
        ]


# --- The outbox -----------------------------------------------------------------------------------


def _short(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def status_badge(message: Message) -> str:
    return format_html('<span class="bo-badge bo-message-{}">{}</span>', message.status,
                       message.get_status_display())


class TemplateFilter(admin.SimpleListFilter):
    title = _("email template")
    parameter_name = "template"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(EmailTemplate.objects.order_by("name").values_list("key", "name"))

    def queryset(self, request: HttpRequest, queryset: QuerySet):
        return queryset.filter(template_key=self.value()) if self.value() else queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """What was sent, to whom, and what failed: evidence, read only. The one thing staff do
    here is send a given-up message again once its cause is fixed."""

    list_display = ["recipient", "what", "session", "status_display", "attempts", "moment"]
    list_filter = ["status", TemplateFilter, "action"]
    search_fields = ["recipient", "subject", "template_key", "session__title"]
    list_select_related = ["session", "event", "rule"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = ["recipient", "recipient_role", "action", "what", "subject", "event_label",
              "session", "user", "status_display", "attempts", "due_at", "sent_at",
              "last_error", "created_at"]
    readonly_fields = fields

    class Media:
        css = AUTOMATION_CSS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) and selectors.runs_the_studio(request.user)

    @admin.display(description=_("what"), ordering="template_key")
    def what(self, obj: Message) -> str:
        if obj.rule is not None:
            return obj.rule.name
        return obj.template_key or obj.get_action_display()

    @admin.display(description=_("event"))
    def event_label(self, obj: Message) -> str:
        return context.event_label(obj.event.name) if obj.event is not None else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: Message) -> str:
        # The last error under the status: a failure is read with its cause.
        if not obj.last_error:
            return status_badge(obj)
        text = obj.last_error if len(obj.last_error) < 120 else obj.last_error[:117] + "…"
        css = "bo-error" if obj.status in (S.FAILED, S.DEAD, S.BOUNCED) else "bo-muted"
        return format_html('{}<div class="{}">{}</div>', status_badge(obj), css, text)

    @admin.display(description=_("when"), ordering="due_at")
    def moment(self, obj: Message) -> str:
        if obj.sent_at:
            return gettext("sent %(when)s") % {"when": _short(obj.sent_at)}
        if obj.status in (S.PENDING, S.FAILED, S.SENDING):
            return gettext("due %(when)s") % {"when": _short(obj.due_at)}
        return "—"

    @admin.action(description=_("Send again (given-up messages)"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        again = sum(1 for message in queryset.filter(status=S.DEAD)
                    if retry_message(message))
        other = queryset.exclude(status=S.DEAD).count()
        if again:
            self.message_user(request, ngettext(
                "%(n)d message will be sent again.", "%(n)d messages will be sent again.",
                again) % {"n": again}, messages.SUCCESS)
        if other:
            self.message_user(request, ngettext(
                "%(n)d message was not given up: it was left as it is.",
                "%(n)d messages were not given up: they were left as they are.",
                other) % {"n": other}, messages.WARNING)


class UserMessagesInline(admin.TabularInline):
    """The messages sent to a person, on their account's page (read only)."""

    model = Message
    fk_name = "user"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("message sent")
    verbose_name_plural = _("messages sent to this person")
    fields = ["created_at", "what", "recipient", "status_display", "sent_at", "last_error"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("rule")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("what"))
    def what(self, obj: Message) -> str:
        return obj.rule.name if obj.rule is not None else obj.template_key or "—"

    @admin.display(description=_("status"))
    def status_display(self, obj: Message) -> str:
        return status_badge(obj)


# --- Staff tasks ----------------------------------------------------------------------------------


class MineFilter(admin.SimpleListFilter):
    title = _("whose")
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("1", gettext("My tasks"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StaffTask]):
        if self.value() == "1":
            return queryset.filter(assignee=request.user)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("1", gettext("To do")), ("0", gettext("Done"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StaffTask]):
        if self.value() == "1":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(StaffTask)
class StaffTaskAdmin(admin.ModelAdmin):
    list_display = ["title", "assignee", "session", "due_at", "done_at"]
    list_filter = [MineFilter, OpenFilter, "due_at"]
    search_fields = ["title", "session__title"]
    list_select_related = ["assignee", "session"]
    fields = ["title", "session", "assignee", "due_at", "done_at"]
    readonly_fields = ["title", "session"]
    raw_id_fields = ["assignee"]
    actions = ["mark_done", "mark_open"]

    def get_readonly_fields(self, request: HttpRequest, obj: StaffTask | None = None):
        if selectors.runs_the_studio(request.user):
            return self.readonly_fields
        # A retoucher ticks their own task off; who does it and when is the studio's.
        return ["title", "session", "assignee", "due_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffTask]:
        tasks = super().get_queryset(request)
        if request.user.is_superuser or selectors.runs_the_studio(request.user):
            return tasks
        return tasks.filter(assignee=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tasks are the rules' (Rule.Action.TASK)

    def has_delete_permission(self, request: HttpRequest, obj: StaffTask | None = None) -> bool:
        return False

    @admin.action(description=_("Mark as done"), permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[StaffTask]) -> None:
        n = mark_tasks_done(queryset)
        self.message_user(request, ngettext("%(n)d task done.", "%(n)d tasks done.", n)
                          % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Mark as to do"), permissions=["change"])
    def mark_open(self, request: HttpRequest, queryset: QuerySet[StaffTask]) -> None:
        n = reopen_tasks(queryset)
        self.message_user(request, ngettext("%(n)d task to do again.", "%(n)d tasks to do again.",
                                            n) % {"n": n}, messages.SUCCESS)
