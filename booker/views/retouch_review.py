"""The photographer's review of the retouches: each final beside the proof it was made from,
at 100 % on a click, approved or returned with what to change; earlier versions kept."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from booker import selectors, services
from booker.views.files import serve_private


def review_queue(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not selectors.runs_the_studio(request.user):
        raise PermissionDenied
    jobs = list(selectors.jobs_to_review(request.user))
    return TemplateResponse(
        request,
        "admin/booker/retouchjob/review.html",
        model_admin.studio_context(
            request,
            title=gettext("Retouches to review"),
            jobs=[(job, reverse("portal:rush-proof", args=[job.rush_id]),
                   reverse("admin:booker_retouchjob_final", args=[job.pk]),
                   sorted(job.versions.all(), key=lambda v: -v.version))
                  for job in jobs],
        ),
    )


def final_preview(model_admin: admin.ModelAdmin, request: HttpRequest,
                  object_id: int) -> HttpResponse:
    """A job's final, shown in the browser at its own size (?version=N: an earlier one), for
    the studio and the retoucher holding the job."""
    job = selectors.back_office_jobs(request.user).filter(pk=object_id).select_related(
        "final").first()
    if job is None:
        raise Http404("No such job.")
    wanted = request.GET.get("version")
    if wanted:
        if not wanted.isdigit():
            raise Http404("No such version.")
        version = job.versions.filter(version=int(wanted)).first()
        if version is None:
            raise Http404("No such version.")
        return serve_private(version.file, download_name=version.original_filename)
    final = getattr(job, "final", None)
    if final is None:
        raise Http404("No final yet.")
    return serve_private(final.file, download_name=final.original_filename)


def review(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = selectors.job_to_review(request.user, object_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.review_job(job, approve=approve, actor=request.user,
                            note=request.POST.get("note", ""))
    except services.StudioError as exc:
        messages.error(request, f"{job.rush.original_filename} : {exc}")
    else:
        messages.success(request, (gettext("%(file)s approved.") if approve else gettext(
            "%(file)s returned to the retoucher.")) % {"file": job.rush.original_filename})
    return HttpResponseRedirect(reverse("admin:booker_retouchjob_review"))
