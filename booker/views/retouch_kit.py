"""The retoucher's kit: the RAW of each job they hold, one by one or every one in a ZIP that
is produced while it is sent, with an XMP sidecar per RAW that carries the client's comment
and the studio's instructions (Lightroom and Capture One show it as the photo's caption)."""

from __future__ import annotations

from pathlib import PurePath

import zipstream
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from booker import selectors
from booker.delivery.files import unique_name
from booker.models import RetouchJob
from booker.proofing.exports import stem_of, xmp_sidecar
from booker.views.files import _read_chunks, serve_private


def sidecar_text(job: RetouchJob, client_comment: str) -> str:
    """The caption the retoucher reads in their RAW software: what the client asked, then
    the studio's instructions when the studio wrote its own."""
    parts = []
    if client_comment.strip():
        parts.append(gettext("Client: %(text)s") % {"text": client_comment.strip()})
    instructions = job.instructions.strip()
    if instructions and instructions != client_comment.strip():
        parts.append(gettext("Studio: %(text)s") % {"text": instructions})
    return "\n".join(parts)


def job_original(model_admin: admin.ModelAdmin, request: HttpRequest,
                 object_id: int) -> HttpResponse:
    """One job's RAW, under the name the photographer's camera gave it."""
    job = selectors.job_original_for(request.user, object_id)
    return serve_private(job.rush.original, download_name=job.rush.original_filename,
                         inline=False)


def my_originals_zip(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Every RAW of the open jobs the retoucher holds (one session's with ?session=<id>), with
    `<stem>.xmp` beside each: stored, sized, streamed from storage as it is sent."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    session_id = request.GET.get("session")
    if session_id is not None and not session_id.isdigit():
        raise Http404("No such session.")
    jobs = [job for job in selectors.kit_jobs(request.user,
                                              int(session_id) if session_id else None)
            if job.rush.original]
    if not jobs:
        messages.info(request, gettext("You hold no retouch to do: no original to download."))
        return HttpResponseRedirect(reverse("admin:booker_retouchjob_mine"))
    comments = selectors.client_comments(jobs)
    storage = jobs[0].rush.original.storage
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED, sized=True)
    taken: set[str] = set()
    for job in jobs:
        name = unique_name(PurePath(job.rush.original_filename.replace("\\", "/")).name, taken)
        archive.add(_read_chunks(storage, job.rush.original.name), name, size=job.rush.size)
        sidecar = xmp_sidecar(sidecar_text(job, comments.get(job.rush_id, ""))).encode("utf-8")
        archive.add(sidecar, unique_name(f"{stem_of(name)}.xmp", taken))
    response = StreamingHttpResponse(archive, content_type="application/zip")
    response["Content-Length"] = str(len(archive))
    filename = gettext("retouches-originals")
    if session_id:
        filename += f"-{session_id}"
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.zip")
    return response
