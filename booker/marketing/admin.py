"""Marketing in the studio's admin: segments built from conditions (previewed with their count
and first people, exported as CSV), and the campaigns sent from the CMS with each recipient's
outcome, read only. Registered by importing this module from booker/admin.py."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from booker.csvsafe import safe_row
from booker.marketing import conditions, selectors, services
from booker.marketing.models import Campaign, CampaignSend, Segment, SegmentCondition

PREVIEW_ROWS = 20


class ConditionForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("condition"), choices=conditions.kind_choices)

    class Meta:
        model = SegmentCondition
        fields = ["kind", "number", "date", "text"]


class ConditionInline(admin.TabularInline):
    model = SegmentCondition
    form = ConditionForm
    extra = 1


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "condition_count")
    search_fields = ("name",)
    inlines = [ConditionInline]
    fields = ("name", "description", "kinds_help", "preview")
    readonly_fields = ("kinds_help", "preview")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Segment]:
        return super().get_queryset(request).annotate(condition_total=Count("conditions"))

    @admin.display(description=_("conditions"), ordering="condition_total")
    def condition_count(self, obj: Segment) -> int:
        return obj.condition_total

    @admin.display(description=_("conditions available"))
    def kinds_help(self, obj: Segment | None) -> str:
        return format_html("<dl>{}</dl>", format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>",
            ((kind.label, kind.help_text) for kind in conditions.kinds().values())))

    @admin.display(description=_("people in the segment"))
    def preview(self, obj: Segment | None) -> str:
        if obj is None or obj.pk is None:
            return gettext("Save the segment to see who is in it.")
        count, first = selectors.preview(obj, PREVIEW_ROWS)
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (r.email, r.name, r.company_name,
             gettext("legitimate interest") if r.b2b else gettext("consent"))
            for r in first))
        return format_html(
            '<p><strong>{}</strong> · <a href="{}">{}</a></p>'
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            ngettext("%(count)d person", "%(count)d people", count) % {"count": count},
            reverse("admin:booker_segment_csv", args=[obj.pk]), gettext("Export as CSV"),
            gettext("Email address"), gettext("Name"), gettext("Company"),
            gettext("Basis for marketing"), rows)

    def csv_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        segment = self.get_object(request, object_id)
        if segment is None or not self.has_view_permission(request, segment):
            return HttpResponse(status=404)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="segment-{slugify(segment.name) or segment.pk}.csv"')
        writer = csv.writer(response, lineterminator="\r\n")
        for row in selectors.csv_rows(segment):
            # Names are typed by people: no cell may run as a formula in a spreadsheet.
            writer.writerow(safe_row(row))
        return response

    def get_urls(self):
        view = self.admin_site.admin_view(self.csv_view)
        view.model_admin = self
        return [path("<id:object_id>/csv/", view, name="booker_segment_csv"),
                *super().get_urls()]


class SendInline(admin.TabularInline):
    model = CampaignSend
    fields = ("email", "name", "company", "status", "attempts", "sent_at", "bounced_at",
              "detail")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


S = CampaignSend.Status


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are written and sent from the CMS (/cms/): here staff follow them."""

    list_display = ("name", "segment", "created_at", "finished_at", "sent", "skipped",
                    "bounced")
    list_filter = ("segment",)
    search_fields = ("name", "subject")
    fields = ("name", "segment", "subject", "source", "created_by", "created_at",
              "finished_at")
    readonly_fields = fields
    inlines = [SendInline]
    actions = ["resume_sending"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).select_related("segment").annotate(
            sent_total=Count("sends", filter=Q(sends__status=S.SENT)),
            skipped_total=Count("sends", filter=Q(sends__status=S.SKIPPED)),
            bounced_total=Count("sends", filter=Q(sends__status=S.BOUNCED)))

    @admin.display(description=_("sent"))
    def sent(self, obj: Campaign) -> int:
        return obj.sent_total

    @admin.display(description=_("not sent (no consent)"))
    def skipped(self, obj: Campaign) -> int:
        return obj.skipped_total

    @admin.display(description=_("bounced"))
    def bounced(self, obj: Campaign) -> int:
        return obj.bounced_total

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Resume sending"), permissions=["view"])
    def resume_sending(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            services.resume(campaign)
        messages.success(request, gettext("The sending goes on through the worker."))


@admin.register(CampaignSend)
class CampaignSendAdmin(admin.ModelAdmin):
    list_display = ("email", "campaign", "status", "sent_at", "bounced_at", "detail")
    list_filter = ("status", "campaign")
    search_fields = ("email", "name")
    list_select_related = ("campaign",)
    fields = ("campaign", "email", "name", "user", "company", "status", "attempts",
              "sent_at", "bounced_at", "detail")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
