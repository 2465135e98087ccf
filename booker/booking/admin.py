"""Online booking in the studio's admin: what can be booked (session types) and when the
photographers work (weekly hours, date overrides, busy times). Registered by importing this
module from booker/admin.py; photographers hold these models' permissions (migration 0016)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import FileSystemStorage
from django.db.models import FileField, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from booker import roles
from booker.delivery.files import storage_url
from booker.errors import StudioError
from booker.money import euros
from booker.people.models import User
from booker.storage import originals_storage

from . import services
from .availability import PARIS
from .machine import BOOKING
from .models import (
    Booking,
    BookingQuestion,
    BusyTime,
    DateOverride,
    HeadshotDay,
    SessionType,
    WeeklyHours,
)


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
            "location_kind", "travel_fees", "photographers",
        ]}),
        (_("Price"), {"fields": ["package", "price", ("deposit_amount", "deposit_percent")]}),
        (_("When it can be booked"), {"fields": [
            "minimum_notice_hours", "horizon_days", "slot_increment_minutes", "needs_approval",
        ]}),
        (_("Cancellation"), {"fields": ["cancellation_policy", "refund_rules",
                                         "reschedule_notice_hours"]}),
        (_("Contract and balance"), {"fields": ["contract_terms", "balance_due_days_before"]}),
    ]


class BookingQuestionInline(admin.TabularInline):
    model = BookingQuestion
    extra = 0
    fields = ["order", "label", "kind", "choices", "required", "help_text"]


SessionTypeAdmin.inlines = [BookingQuestionInline]


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


class HeadshotSlotsInline(admin.TabularInline):
    """Who sits when on a company's headshot day (the members pick in the team portal)."""

    model = HeadshotDay
    fields = ["slot_minutes", "is_open", "picked"]
    readonly_fields = ["picked"]
    extra = 0
    max_num = 1
    can_delete = False
    verbose_name_plural = _("headshot day")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("slots picked"))
    def picked(self, day: HeadshotDay) -> str:
        rows = [(f"{slot.starts_at.astimezone(PARIS):%H:%M}",
                 slot.member.get_full_name() or slot.member.email)
                for slot in day.slots.select_related("member")]
        return format_html_join(format_html("<br>"), "{} {}", rows) if rows else "—"


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """The bookings made online: the studio reads them, accepts or declines a request, cancels
    one (everything paid refunded). Moving a booked session is the session's own "move" in the
    studio's session page: the booking follows."""

    list_display = ["starts_at", "session_type", "who", "photographer", "status_badge",
                    "deposit_paid", "session_link"]
    list_filter = ["status", "session_type", ("photographer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["client__email", "client__last_name", "company__name", "token"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    actions = ["approve", "open_headshot_day", "cancel_by_studio"]
    readonly_fields = [
        "session_type", "photographer", "starts_at", "ends_at", "status", "held_until",
        "client", "company", "booked_by", "answers_list", "price", "travel_up_to_km",
        "travel_fee", "deposit", "deposit_paid",
        "refunded", "balance_due_on", "location", "contract_text", "contract_signed_name",
        "contract_signed_at", "contract_signed_ip", "session_link", "note", "created_at",
    ]
    fieldsets = [
        (None, {"fields": ["session_type", "starts_at", "ends_at", "photographer", "location",
                           "status", "held_until", "session_link", "note"]}),
        (_("Client"), {"fields": ["client", "company", "booked_by", "answers_list"]}),
        (_("Money"), {"fields": ["price", "travel_up_to_km", "travel_fee", "deposit",
                                 "deposit_paid", "refunded", "balance_due_on"]}),
        (_("Contract"), {"fields": ["contract_signed_name", "contract_signed_at",
                                    "contract_signed_ip", "contract_text"]}),
    ]
    change_form_template = "admin/booker/booking/change_form.html"
    inlines = [HeadshotSlotsInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        return super().get_queryset(request).select_related(
            "session_type", "photographer", "client", "company", "session")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("client"))
    def who(self, obj: Booking) -> str:
        if obj.company_id:
            return obj.company.name
        return (obj.client.get_full_name() or obj.client.email) if obj.client_id else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj: Booking) -> str:
        return obj.get_status_display()

    @admin.display(description=_("session"))
    def session_link(self, obj: Booking) -> str:
        if obj.session_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse(
            "admin:booker_photosession_studio", args=[obj.session_id]), obj.session.title)

    @admin.display(description=_("answers"))
    def answers_list(self, obj: Booking) -> str:
        if not obj.answers:
            return "—"
        rows = []
        for answer in obj.answers:
            value = answer["value"] or "—"
            if answer.get("kind") == BookingQuestion.Kind.FILE and answer["value"]:
                # The file the client sent, through a link that checks who asks (never the
                # storage path: it means nothing to the studio and opens nothing).
                value = format_html('<a href="{}">{}</a>', reverse(
                    "admin:booker_booking_answer", args=[obj.pk, answer["question"]]),
                    PurePath(answer["value"]).name)
            rows.append((answer["label"], value))
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    def answer_file(self, request: HttpRequest, object_id: int, question: int) -> HttpResponse:
        """A file the client attached to the questionnaire, for staff who may read the
        booking: streamed from local storage, or a short signed link on S3."""
        booking = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, booking):
            raise PermissionDenied
        name = next((a["value"] for a in booking.answers
                     if a.get("question") == question and a.get("kind") == BookingQuestion.Kind.FILE
                     and a["value"]), None)
        if name is None:
            raise Http404("No such file.")
        fieldfile = FieldFile(None, FileField(storage=originals_storage), name)
        if not isinstance(fieldfile.storage, FileSystemStorage):
            return HttpResponseRedirect(storage_url(fieldfile, PurePath(name).name, inline=False))
        try:
            handle = fieldfile.storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing.") from exc
        return FileResponse(handle, as_attachment=True, filename=PurePath(name).name)

    def _each(self, request, queryset, do, done) -> None:
        count = 0
        for booking in queryset.select_related("session_type", "session"):
            try:
                do(booking)
            except StudioError as exc:
                self.message_user(request, gettext("%(item)s: %(error)s")
                                  % {"item": booking, "error": exc}, messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done(count), messages.SUCCESS)

    @admin.action(description=_("Accept the selected requests"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._each(request, queryset,
                   lambda b: services.approve_booking(b, actor=request.user),
                   lambda n: ngettext("%(n)d request accepted: the client is told.",
                                      "%(n)d requests accepted: the clients are told.", n)
                   % {"n": n})

    @admin.action(description=_("Open as a headshot day (10-minute slots for the company's "
                                "members)"), permissions=["change"])
    def open_headshot_day(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._each(request, queryset,
                   lambda b: services.open_headshot_day(b, actor=request.user),
                   lambda n: ngettext("%(n)d headshot day open: the members pick their slot "
                                      "in the team portal.",
                                      "%(n)d headshot days open: the members pick their slot "
                                      "in the team portal.", n) % {"n": n})

    @admin.action(description=_("Cancel the selected bookings (everything paid refunded)"),
                  permissions=["change"])
    def cancel_by_studio(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._each(request, queryset,
                   lambda b: services.cancel_booking(b, actor=request.user, by_studio=True),
                   lambda n: ngettext("%(n)d booking cancelled: the client is told.",
                                      "%(n)d bookings cancelled: the clients are told.", n)
                   % {"n": n})

    def get_urls(self):
        return [
            path("<id:object_id>/decide/", self.admin_site.admin_view(self.decide),
                 name="booker_booking_decide"),
            path("<id:object_id>/reponse/<id:question>/",
                 self.admin_site.admin_view(self.answer_file), name="booker_booking_answer"),
            *super().get_urls(),
        ]

    def decide(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Accept, decline (with the reason the client reads) or cancel one booking."""
        pk = object_id
        booking = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        if request.method == "POST":
            reason = request.POST.get("reason", "").strip()[:500]
            decision = request.POST.get("decision")
            try:
                if decision == "approve":
                    services.approve_booking(booking, actor=request.user)
                    done = gettext("Request accepted: the session is booked, the client told.")
                elif decision == "decline":
                    services.decline_booking(booking, actor=request.user, reason=reason)
                    done = gettext("Request declined: the client is told.")
                elif decision == "cancel":
                    refund = services.cancel_booking(booking, actor=request.user,
                                                     by_studio=True, reason=reason)
                    done = gettext("Booking cancelled; %(refund)s refunded.") % {
                        "refund": euros(refund)}
                else:
                    raise StudioError(gettext("Choose what to do."))
            except StudioError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, done, messages.SUCCESS)
            return redirect("admin:booker_booking_change", pk)
        return redirect("admin:booker_booking_change", pk)

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context.update(
                can_approve=BOOKING.allows(obj.status, Booking.Status.CONFIRMED)
                and obj.status == Booking.Status.REQUESTED,
                can_decline=BOOKING.allows(obj.status, Booking.Status.DECLINED),
                can_cancel=BOOKING.allows(obj.status, Booking.Status.CANCELLED),
                refund_if_cancelled=euros(obj.deposit_paid - obj.refunded),
                decide_url=reverse("admin:booker_booking_decide", args=[obj.pk]),
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)
