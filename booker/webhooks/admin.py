"""Webhooks in the studio's admin: the endpoints (their secret shown once, at creation or when
renewed), and the deliveries with every attempt, read only, replayed from the list or from a
delivery's page. Registered by importing this module from booker/admin.py."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from booker import selectors as booker_selectors
from booker.webhooks import selectors, services
from booker.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

S = WebhookDelivery.Status

SIGNATURE_HELP = _(
    "Each delivery is a POST of JSON {id, type, created_at, data}, signed in the header "
    "Booke-Signature: t=<unix time>,v1=<HMAC-SHA256 in hex of “<t>.<body>” with the secret>. "
    "The receiver recomputes it over the raw body, compares in constant time, refuses a t older "
    "than five minutes, answers 2xx quickly and ignores an id it already has (a delivery may "
    "come again after a retry or a replay). See docs/webhooks.md for a Python example."
)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("address"), max_length=500, assume_scheme="https",
                         help_text=WebhookEndpoint._meta.get_field("url").help_text)
    events = forms.MultipleChoiceField(
        label=_("events sent"), choices=selectors.event_choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "bo-columns"}),
        help_text=_("Tick none to receive every event."))

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def clean_url(self) -> str:
        # Checked when typed, so the studio reads why at once rather than in a failed
        # delivery's log; checked again at every POST (the name may point elsewhere later).
        from booker import outbound

        url = self.cleaned_data["url"].strip()
        try:
            outbound.check_scheme(url)
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
            outbound.resolve(parts.hostname or "", port, [
                ipaddress.ip_network(n) for n in settings.BOOKE_WEBHOOK_ALLOWED_PRIVATE_NETWORKS])
        except outbound.Refused as exc:
            raise forms.ValidationError(str(exc)) from exc
        except ValueError as exc:  # a port that is not a number
            raise forms.ValidationError(gettext("The address cannot be read.")) from exc
        return url


def _show_secret(request: HttpRequest, endpoint: WebhookEndpoint, secret: str) -> None:
    messages.warning(request, format_html(
        "{} <code class=\"bo-secret\">{}</code><br>{}",
        gettext("Signing secret of %(endpoint)s:") % {"endpoint": endpoint},
        secret,
        gettext("Copy it now into the receiving system: it will not be shown again."),
    ))


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "events_display", "is_active",
                    "consecutive_failures", "disabled_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    actions = ["renew_secret"]
    readonly_fields = ["secret_display", "consecutive_failures", "disabled_at", "created_at",
                       "deliveries_link"]

    def get_fieldsets(self, request: HttpRequest, obj: WebhookEndpoint | None = None):
        main = (None, {"fields": ["url", "description", "events", "is_active"],
                       "description": SIGNATURE_HELP})
        if obj is None:
            return [main]
        state = ["secret_display", "consecutive_failures", "disabled_at", "created_at",
                 "deliveries_link"]
        return [main, (_("Signing and failures"), {"fields": state})]

    @admin.display(description=_("events sent"))
    def events_display(self, obj: WebhookEndpoint) -> str:
        return selectors.events_summary(obj) or gettext("every event")

    @admin.display(description=_("signing secret"))
    def secret_display(self, obj: WebhookEndpoint) -> str:
        return selectors.masked_secret(obj)

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, obj: WebhookEndpoint) -> str:
        url = reverse("admin:booker_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("See its deliveries"))

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        was_active = form.initial.get("is_active") if change else None
        services.save_endpoint(obj, was_active=was_active)

    def response_add(self, request: HttpRequest, obj: WebhookEndpoint,
                     post_url_continue: str | None = None) -> HttpResponse:
        _show_secret(request, obj, obj.secret)
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Renew the signing secret"), permissions=["change"])
    def renew_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            _show_secret(request, endpoint, services.rotate_secret(endpoint))


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["started_at", "status_code", "duration_ms", "response_excerpt", "error",
              "succeeded", "replay"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """What went out, to which endpoint, and what each attempt got back: evidence, read only.
    The one thing staff do here is send a delivery again."""

    list_display = ["event_name", "endpoint", "status_badge", "attempts", "last_status_code",
                    "created_at", "moment"]
    list_filter = ["status", "endpoint", "event_name"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    actions = ["replay"]
    fields = ["endpoint", "event_name", "status_badge", "attempts", "replays", "due_at",
              "delivered_at", "last_status_code", "last_error", "created_at", "body"]
    readonly_fields = fields
    inlines = [AttemptInline]
    change_form_template = "admin/booker/webhookdelivery/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) and booker_selectors.runs_the_studio(
            request.user)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}),
                         "can_replay": self.has_replay_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: WebhookDelivery) -> str:
        return format_html('<span class="bo-badge bo-message-{}">{}</span>', obj.status,
                           obj.get_status_display())

    @admin.display(description=_("next attempt"), ordering="due_at")
    def moment(self, obj: WebhookDelivery) -> object:
        return obj.due_at if obj.status in (S.PENDING, S.FAILED) else "—"

    @admin.display(description=_("body sent"))
    def body(self, obj: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", selectors.body_preview(obj))

    @admin.action(description=_("Send again"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        again = sum(1 for delivery in queryset if services.replay(delivery))
        self.message_user(request, ngettext(
            "%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.",
            again) % {"count": again}, messages.SUCCESS if again else messages.WARNING)
        inactive = queryset.filter(endpoint__is_active=False).exists()
        if again and inactive:
            self.message_user(request, gettext(
                "An endpoint among them is switched off: its deliveries go out once it is "
                "switched back on."), messages.WARNING)
