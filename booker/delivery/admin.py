"""The delivery's side of /admin/: the brand library's photo tags (a tag is made for a
company and then put on its delivered photos; the company's admins do the same from the
library page, booker/views/library.py), and the clients' family share links, read-only with
one action, revoke (booker.delivery.services.revoke_share_links_as_studio)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from booker.delivery.models import PhotoTag, ShareLink
from booker.delivery.selectors import share_state, studio_share_links
from booker.delivery.services import revoke_share_links_as_studio
from booker.errors import StudioError
from booker.models import FinalPhoto, RetouchJob


class FinalChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: FinalPhoto) -> str:
        return f"{obj.job.session.title} — {obj.job.rush.original_filename}"


@admin.register(PhotoTag)
class PhotoTagAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "photo_count"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "company__name"]
    filter_horizontal = ["finals"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PhotoTag]:
        return (super().get_queryset(request).select_related("company")
                .annotate(photo_count=Count("finals")))

    @admin.display(description=_("photos"), ordering="photo_count")
    def photo_count(self, obj: PhotoTag) -> int:
        return obj.photo_count

    def get_fields(self, request: HttpRequest, obj: PhotoTag | None = None) -> list[str]:
        # The photos to choose from are the company's: chosen once the tag has its company.
        return ["company", "name", "finals"] if obj is not None else ["company", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: PhotoTag | None = None):
        return ["company"] if obj is not None else []

    def get_form(self, request: HttpRequest, obj: PhotoTag | None = None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "finals" in form.base_fields:
            field = form.base_fields["finals"]
            form.base_fields["finals"] = FinalChoice(
                queryset=FinalPhoto.objects.filter(
                    job__session__company=obj.company_id, job__status=RetouchJob.Status.DONE,
                ).select_related("job__session", "job__rush")
                .order_by("-job__session__scheduled_at", "job__rush__original_filename"),
                required=False, label=field.label, widget=field.widget,
                help_text=_("The company's approved photos, by session."),
            )
        return form


# --- Family share links -----------------------------------------------------------------------

SHARE_STATES = {"open": pgettext_lazy("share link", "open"),
                "closed": pgettext_lazy("share link", "expired"),
                "revoked": pgettext_lazy("share link", "revoked")}


class ShareStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "etat"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return list(SHARE_STATES.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[ShareLink]):
        now = timezone.now()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "closed":
            return queryset.filter(revoked_at__isnull=True, closes_at__lte=now)
        if self.value() == "open":
            return queryset.filter(revoked_at__isnull=True, closes_at__gt=now)
        return queryset


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """The view-only links clients made for their family: read by the studio (who shared
    what, until when, how often opened), never edited; the token, a credential, never shown.
    Only the sessions the staff member runs (`studio_share_links`)."""

    list_display = ["session_link", "client", "created_by", "created_at", "closes",
                    "revoked_at", "view_count", "photo_count", "state"]
    list_filter = [ShareStateFilter, "created_at"]
    search_fields = ["session__title", "created_by__email", "created_by__last_name",
                     "session__company__name"]
    date_hierarchy = "created_at"
    # The list's own joins (Django would otherwise replace them with every non-null one).
    list_select_related = ("session__client", "session__company", "created_by")
    actions = ["revoke"]
    fields = ["session_link", "client", "created_by", "created_at", "expires_at", "closes",
              "revoked_at", "view_count", "photo_count", "state"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[ShareLink]:
        return studio_share_links(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the client, from their delivery page

    def has_change_permission(self, request: HttpRequest, obj: ShareLink | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ShareLink | None = None) -> bool:
        return False  # revoked, never deleted: the session's history names it

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.action(description=_("Revoke the selected links"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ShareLink]) -> None:
        try:
            count = revoke_share_links_as_studio(
                queryset.filter(Q(revoked_at__isnull=True)).values_list("pk", flat=True),
                actor=request.user)
        except StudioError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        if count:
            self.message_user(request, ngettext(
                "%(n)d link revoked: it no longer opens.",
                "%(n)d links revoked: they no longer open.", count) % {"n": count},
                messages.SUCCESS)
        else:
            self.message_user(request, _("These links were already revoked."), messages.INFO)

    @admin.display(description=_("session"), ordering="session__title")
    def session_link(self, obj: ShareLink):
        url = reverse("admin:booker_photosession_studio", args=[obj.session_id])
        return format_html('<a href="{}">{}</a>', url, obj.session.title)

    @admin.display(description=_("client"))
    def client(self, obj: ShareLink) -> str:
        session = obj.session
        return str(session.company or session.client or "")

    @admin.display(description=_("closes"), ordering="closes_at")
    def closes(self, obj: ShareLink) -> datetime:
        return obj.closes_at

    @admin.display(description=_("photos"), ordering="photo_count")
    def photo_count(self, obj: ShareLink) -> int:
        return obj.photo_count

    @admin.display(description=_("state"))
    def state(self, obj: ShareLink) -> str:
        return str(SHARE_STATES[share_state(obj)])
