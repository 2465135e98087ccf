"""The automation engine in the studio's admin: the rules ("when … then … after …"), the
emails' texts with their variables and a preview on a real session, the outbox (read only:
it is the evidence of what was sent) and the staff's tasks.

Registered by importing this module from booker/admin.py. It lives in the engine's layer, so it
imports no view: the studio page's panels are built in booker/views/studio.py from
booker/automation/selectors.py."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from csp.decorators import csp_replace
from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template import Engine, TemplateSyntaxError, engines
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
from booker.automation.sender import Rendered, render, retry
from booker.events import Event, Happened
from booker.models import PhotoSession, User

log = logging.getLogger(__name__)
S = Message.Status
# Events that concern no session (an order, an invitation): previewed with sample values.
SUBJECT_EVENTS = frozenset({
    Event.CLIENT_INVITED, Event.ORDER_PLACED, Event.ORDER_PAID, Event.ORDER_SHIPPED,
    Event.INVOICE_DUE, Event.INVOICE_OVERDUE, Event.BASKET_ABANDONED,
})
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
                  "action", "template", "recipients", "task_title", "webhook_url", "anchor"]

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
        if action == Rule.Action.WEBHOOK and not cleaned.get("webhook_url"):
            self.add_error("webhook_url", _("Give the address to call."))
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
            (_("When"), {"fields": ["event", ("audience", "package", "min_amount"), "unless"]}),
            (_("Then"), {"fields": ["action", "template", "recipients", "task_title",
                                    "webhook_url"]}),
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
        if obj.action == Rule.Action.WEBHOOK:
            return obj.webhook_url or "—"
        return ", ".join(str(RECIPIENT_SHORT.get(r, r)) for r in obj.recipients or []) or "—"

    # The defaults stay: deleting one is refused with the way to switch it off.

    def has_delete_permission(self, request: HttpRequest, obj: Rule | None = None) -> bool:
        if obj is not None and obj.key:
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        rule = Rule.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if rule is not None and rule.key and self.has_view_permission(request, rule):
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
            objs = objs.filter(Q(key__isnull=True) | Q(key=""))
        return super().get_deleted_objects(objs, request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        defaults = queryset.filter(key__isnull=False).exclude(key="")
        kept = defaults.count()
        if kept:
            self.message_user(request, ngettext(
                "%(n)d rule ships with the studio and was kept: untick “active” to switch it "
                "off.",
                "%(n)d rules ship with the studio and were kept: untick “active” to switch them "
                "off.", kept) % {"n": kept}, messages.WARNING)
        super().delete_queryset(request, queryset.exclude(pk__in=defaults.values("pk")))

    @admin.action(description=_("Switch on"), permissions=["change"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        n = queryset.update(is_active=True)
        self.message_user(request, ngettext("%(n)d rule switched on.", "%(n)d rules switched on.",
                                            n) % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Switch off"), permissions=["change"])
    def switch_off(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        n = queryset.update(is_active=False)
        self.message_user(request, ngettext("%(n)d rule switched off.",
                                            "%(n)d rules switched off.", n) % {"n": n},
                          messages.SUCCESS)


# --- Email templates: checking, previewing --------------------------------------------------------


def _checking_engine() -> Engine:
    # The site's engine, in debug mode: a syntax error then knows its line.
    base = engines["django"].engine
    extra = [b for b in base.builtins if b not in Engine.default_builtins]
    return Engine(debug=True, libraries=base.libraries, builtins=extra,
                  autoescape=base.autoescape)


def _closing(expected: str) -> str:
    # Django lists what may come next ("elif, else, endif"): the closing tag is the one asked.
    names = [name.strip() for name in expected.split(",")]
    return next((name for name in names if name.startswith("end")), names[0])


_ERRORS = [
    (re.compile(r"Unclosed tag on line \d+: '([^']+)'. Looking for one of: ([^.]+)\."),
     lambda m: gettext("the tag “{%% %(tag)s %%}” is never closed (“{%% %(end)s %%}” is "
                       "missing)") % {"tag": m[1], "end": _closing(m[2])}),
    (re.compile(r"Invalid block tag on line \d+: '([^']+)'(?:, expected '([^']+)')?"),
     lambda m: (gettext("unknown or misplaced tag “{%% %(tag)s %%}”, “{%% %(expected)s %%}” "
                        "was expected") % {"tag": m[1], "expected": m[2]} if m[2] else
                gettext("unknown or misplaced tag “{%% %(tag)s %%}”") % {"tag": m[1]})),
    (re.compile(r"Invalid filter: '([^']+)'"),
     lambda m: gettext("unknown filter “%(name)s”") % {"name": m[1]}),
    (re.compile(r"Could not parse the remainder: '([^']*)' from '([^']*)'"),
     lambda m: gettext("“%(text)s” cannot be read (in “%(where)s”)")
     % {"text": m[1].strip(), "where": m[2]}),
    (re.compile(r"Empty variable tag"), lambda m: gettext("an empty “{{ }}”")),
]


def explain(exc: Exception, line: int | None = None) -> str:
    """A template error in the studio's words (Django's own messages are in English)."""
    text = str(exc)
    for pattern, say in _ERRORS:
        match = pattern.search(text)
        if match:
            detail = say(match)
            break
    else:
        detail = gettext("the syntax is not valid (%(detail)s)") % {"detail": text}
    if line:
        return gettext("Error on line %(line)d: %(detail)s.") % {"line": line, "detail": detail}
    return gettext("Error: %(detail)s.") % {"detail": detail}


def syntax_error(source: str) -> str:
    """The French description of `source`'s syntax error, or "" when it compiles."""
    try:
        _checking_engine().from_string(source)
    except TemplateSyntaxError as exc:
        info = getattr(exc, "template_debug", None) or {}
        return explain(exc, info.get("line"))
    return ""


def unknown_variables(*sources: str) -> list[str]:
    """Names used in {{ … }} that are not variables of the engine (they render empty)."""
    known = set(context.all_variables()) | {"unsubscribe_url", "forloop", "True", "False",
                                            "None"}
    found: list[str] = []
    for source in sources:
        # Names a template makes itself: loop variables, {% with %} aliases.
        for names in re.findall(r"{%\s*for\s+([\w\s,]+?)\s+in\s", source or ""):
            known |= {n.strip() for n in names.split(",")}
        for assignments in re.findall(r"{%\s*with\s+(.*?)%}", source or ""):
            known |= set(re.findall(r"(\w+)=", assignments))
    for source in sources:
        for name in re.findall(r"{{\s*([A-Za-z_][A-Za-z0-9_]*)", source or ""):
            if name not in known and name not in found:
                found.append(name)
        for name in re.findall(r"{%\s*(?:if|elif|for\s+\w+\s+in)\s+(?:not\s+)?"
                               r"([A-Za-z_][A-Za-z0-9_]*)", source or ""):
            if name not in known and name not in found:
                found.append(name)
    return found


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


@dataclass
class Preview:
    event: str
    event_label: str
    session: PhotoSession | None
    sessions: list[PhotoSession]
    rendered: Rendered | None
    error: str
    sample: bool
    unknown: list[str]


def _sample_payload(session: PhotoSession | None) -> dict[str, Any]:
    now = timezone.now()
    delivery = getattr(session, "delivery", None) if session is not None else None
    expires = getattr(delivery, "expires_at", None) or now + timedelta(days=7)
    previous = (session.scheduled_at if session is not None and session.scheduled_at
                else now) - timedelta(days=2)
    picked = selectors.pick_count(session) if session is not None else 0
    return {
        "expires_at": expires.isoformat(), "previous": previous.isoformat(),
        "reason": gettext("(the reason given)"), "note": gettext("(the note left)"),
        "jobs": [1, 2, 3], "picked": picked,
        "proofs": session.rushes.count() if session is not None else 0,
    }


def _sample_values() -> dict[str, Any]:
    """Plausible values for every variable, for events without a session (an order…)."""
    values: dict[str, Any] = {name: f"[{name}]" for name in context.all_variables()}
    values.update({
        "is_company": False, "company_name": "", "recipient_name": "Claire",
        "client_name": "Claire Martin", "greeting": gettext("Hello %(name)s,") % {"name":
                                                                                  "Claire"},
        "amount": context.euros("79.20"), "quota": 20, "picked": 22, "extras": 2,
        "proofs_count": 120, "job_count": 3,
    })
    return values


def template_event(template: EmailTemplate) -> str:
    rule = template.rules.order_by("pk").first() if template.pk else None
    return rule.event if rule is not None else Event.SESSION_CONFIRMED.value


def preview(template: EmailTemplate, user: User, session_id: str | int | None = None
            ) -> Preview:
    """`template` rendered for its first rule's event, against a real session `user` sees in
    the back office (the one asked, or the most recent), or with sample values for an event
    that has no session."""
    event = template_event(template)
    visible = selectors.back_office_sessions(user).select_related("photographer")
    sessions = list(visible.order_by("-created_at", "-pk")[:50])
    session = None
    sample = event in SUBJECT_EVENTS
    if not sample:
        if session_id not in (None, "") and str(session_id).isdigit():
            session = visible.filter(pk=session_id).first()
        if session is None and sessions:
            session = sessions[0]
        sample = session is None
    error = " ".join(e for e in (syntax_error(template.subject), syntax_error(template.body_html),
                                 syntax_error(template.body_text)) if e)
    rendered = None
    if not error:
        try:
            rendered = _render_for(template, event, session)
        except Exception as exc:  # a filter failing on a value, a link that cannot be made
            log.warning("preview of the email template %s failed", template.pk, exc_info=True)
            error = gettext("This email cannot be rendered: %(detail)s") % {"detail": exc}
    return Preview(event, context.event_label(event), session, sessions, rendered, error,
                   sample, unknown_variables(template.subject, template.body_html,
                                             template.body_text))


def _render_for(template: EmailTemplate, event: str, session: PhotoSession | None
                ) -> Rendered:
    """The email as the client would get it (the first client of a company's session)."""
    happened = Happened(Event(event), session.pk if session else None, None,
                        _sample_payload(session), 0)
    if session is not None:
        found = context.recipients(Rule.Recipient.CLIENT, happened, session, None)
        recipient = found[0] if found else context.Recipient("client@example.com", "Claire")
        variables = context.build(happened, recipient, session, None)
    else:
        variables = {**_sample_values(), **context.build(
            happened, context.Recipient("client@example.com", "Claire"), None, None)}
        variables.update(greeting=gettext("Hello %(name)s,") % {"name": "Claire"},
                         recipient_name="Claire")
    if template.kind != EmailTemplate.Kind.TRANSACTIONAL:
        variables["unsubscribe_url"] = "#"
    return render(template, variables)


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
        css = "bo-error" if obj.status in (S.FAILED, S.DEAD) else "bo-muted"
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
        again = sum(1 for message in queryset.filter(status=S.DEAD) if retry(message))
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
        n = queryset.filter(done_at__isnull=True).update(done_at=timezone.now())
        self.message_user(request, ngettext("%(n)d task done.", "%(n)d tasks done.", n)
                          % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("Mark as to do"), permissions=["change"])
    def mark_open(self, request: HttpRequest, queryset: QuerySet[StaffTask]) -> None:
        n = queryset.filter(done_at__isnull=False).update(done_at=None)
        self.message_user(request, ngettext("%(n)d task to do again.", "%(n)d tasks to do again.",
                                            n) % {"n": n}, messages.SUCCESS)
