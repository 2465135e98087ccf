"""Online booking in the studio's admin: what can be booked (session types) and when the
photographers work (weekly hours, date overrides, busy times). Registered by importing this
module from booker/admin.py; photographers hold these models' permissions (migration 0016)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from booker import roles
from booker.people.models import User

from .models import BusyTime, DateOverride, SessionType, WeeklyHours


def photographers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=roles.PHOTOGRAPHER).distinct()


class PhotographerChoices:
    """The photographer fields offer the studio's photographers only."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "photographer":
            kwargs["queryset"] = photographers()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "photographers":
            kwargs["queryset"] = photographers()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(SessionType)
class SessionTypeAdmin(PhotographerChoices, admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "location_kind", "price", "needs_approval",
                    "is_active", "order"]
    list_editable = ["order"]
    list_filter = ["is_active", "location_kind", "needs_approval"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["photographers"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "is_active", "order"]}),
        (_("Time and place"), {"fields": [
            "duration_minutes", ("buffer_before_minutes", "buffer_after_minutes"),
            "location_kind", "photographers",
        ]}),
        (_("Price"), {"fields": ["package", "price", ("deposit_amount", "deposit_percent")]}),
        (_("When it can be booked"), {"fields": [
            "minimum_notice_hours", "horizon_days", "slot_increment_minutes", "needs_approval",
        ]}),
        (_("Cancellation"), {"fields": ["cancellation_policy", "refund_rules"]}),
    ]


@admin.register(WeeklyHours)
class WeeklyHoursAdmin(PhotographerChoices, admin.ModelAdmin):
    list_display = ["photographer", "weekday", "start", "end"]
    list_filter = ["weekday", ("photographer", admin.RelatedOnlyFieldListFilter)]


@admin.register(DateOverride)
class DateOverrideAdmin(PhotographerChoices, admin.ModelAdmin):
    list_display = ["date", "photographer", "closed", "start", "end", "note"]
    list_filter = ["closed", ("photographer", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "date"


@admin.register(BusyTime)
class BusyTimeAdmin(PhotographerChoices, admin.ModelAdmin):
    list_display = ["photographer", "start", "end", "reason"]
    list_filter = [("photographer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reason"]
    date_hierarchy = "start"
