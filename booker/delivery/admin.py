"""The studio's side of the brand library in /admin/: the companies' photo tags. A tag is
made for a company and then put on its delivered photos (the company's admins do the same
from the library page, booker/views/library.py)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from booker.delivery.models import PhotoTag
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
