"""The studio's pages and endpoints in the back office: a session's studio page (rushes,
proofs, picks, retouching, delivery, archive), the resumable uploader's JSON API, the finals'
drop, the picks' exports and the retoucher's own page.

They are served under /admin/ (booker/admin.py routes them through the admin site, for its
login, second factor and layout) and take the ModelAdmin that routes them for its queryset
and context; every button calls one function of `booker.services`, refusals become messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, time

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect

from booker import selectors, services
from booker.archive import services as archive
from booker.automation import selectors as automation
from booker.intake import uploads
from booker.models import (
    PhotoSession,
    RetouchJob,
    Rush,
)
from booker.proofing import exports
from booker.proofing.selectors import session_money
from booker.sessions.machine import SESSION
from booker.sessions.panels import session_panels
from booker.teams import selectors as team_selectors

Action = selectors.Action
JobStatus = RetouchJob.Status
Ingest = Rush.Ingest


BACKOFFICE_CSS = {"all": ["booker/backoffice.css"]}


BACKOFFICE_JS = ["booker/backoffice.js"]


BACKOFFICE_MEDIA = forms.Media(css=BACKOFFICE_CSS, js=BACKOFFICE_JS)


def rush_thumb_url(rush: Rush) -> str | None:
    """Thumbnails are private files: the portal serves them after a permission check."""
    if rush.ingest_status != Ingest.READY or not rush.thumbnail:
        return None
    try:
        return reverse("portal:rush-thumb", args=[rush.pk])
    except NoReverseMatch:  # the portal's file views are not wired yet: show a placeholder
        return None


def badge(kind: str, value: str, label: str) -> str:
    return format_html('<span class="bo-badge bo-{}-{}">{}</span>', kind, value, label)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def receive_uploads(
    request: HttpRequest, handle: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Run `handle` on a multipart POST whose files are streamed to temporary files on disk.

    RAWs weigh up to several hundred MB and must never be held in memory. Upload handlers can
    only be swapped before the body is parsed, and CsrfViewMiddleware parses it to look for the
    token: so these views are csrf_exempt at the URL and the CSRF check runs here, after the
    swap (the pattern Django's "modifying upload handlers on the fly" documents)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    request.upload_handlers = [TemporaryFileUploadHandler(request)]
    return csrf_protect(handle)(request)


def json_body(request: HttpRequest) -> dict:
    """The JSON object of an upload request; `uploads.BadUploadRequest` (400) otherwise."""
    return uploads.read_json(request.body)


def refusal(exc: services.StudioError) -> JsonResponse:
    """A refused upload step, with the reason the uploader shows: 400 for a malformed request,
    413 for a file too large, 409 for a refusal of the studio's rules."""
    return JsonResponse({"status": "error", "error": str(exc)},
                        status=getattr(exc, "status", 409))


def js_strings() -> dict[str, str]:
    """The words backoffice.js shows, translated here (the admin has no JS catalogue)."""
    return {
        "waiting": gettext("waiting"),
        "uploading": gettext("uploading…"),
        "created": gettext("stored"),
        "duplicate": gettext("duplicate: already in this session"),
        "matched": gettext("attached"),
        "unmatched": gettext("NOT attached: no job matches this file name"),
        "refused": gettext("refused"),
        "error": gettext("error"),
        "retry": gettext("Retry"),
        "network": gettext("network error: the upload did not reach the studio"),
        "expired": gettext("unexpected answer (HTTP %s): is your login still valid? Reload."),
        "batch": gettext("%(done)s of %(total)s files · %(sent)s of %(size)s"),
        "summary_rushes": gettext(
            "Stored: %(created)s · duplicates: %(duplicate)s · errors: %(error)s"
        ),
        "summary_finals": gettext(
            "Attached: %(matched)s · NOT attached: %(unmatched)s · refused: %(refused)s · "
            "errors: %(error)s"
        ),
        "attached_title": gettext("Attached to their job"),
        "unattached_title": gettext(
            "NOT attached — no job matches these file names. They were not stored: rename them "
            "after the original (IMG_0012-edit.jpg for IMG_0012.CR2) and upload them again."
        ),
        "refused_title": gettext("Refused"),
        "leave": gettext("Uploads are still running. Leave the page anyway?"),
        "all_done": gettext("All rushes are processed."),
        "copied": gettext("Copied"),
        "hashing": gettext("reading the file… %(pct)s %"),
        "queued": gettext("waiting for its turn"),
        "resuming": gettext("resuming: %(pct)s % already at the studio"),
        "completing": gettext("checking…"),
        "retrying": gettext("connection lost, trying again (%(n)s/%(max)s)…"),
        "gave_up": gettext("the upload stopped after several attempts. Retry when the "
                           "connection is back: only the missing parts will be sent."),
        "refresh": gettext("Refresh the list"),
        # The curation page's drag and drop, read by screen readers (%(name)s: the file).
        "curation_grabbed": gettext("%(name)s taken, photo %(n)s of %(total)s in its set. "
                                    "Arrows move it, Space puts it down, Escape cancels."),
        "curation_moving": gettext("%(name)s: photo %(n)s of %(total)s"),
        "curation_dropped": gettext("%(name)s put down: photo %(n)s of %(total)s"),
        "curation_cancelled": gettext("%(name)s back in its place, photo %(n)s of %(total)s"),
    }


def finals_response(
    request: HttpRequest,
    jobs: Iterable[RetouchJob],
    *,
    back_url: str,
    context: dict,
) -> HttpResponse:
    """Attach uploaded finals to their jobs by file name; answer JSON (one XHR per file from
    backoffice.js) or a result page (a plain form post of many files)."""
    files = request.FILES.getlist("files")
    if not files:
        if wants_json(request):
            return JsonResponse({"error": gettext("No file was sent.")}, status=400)
        messages.error(request, gettext("Choose the retouched files to upload."))
        return HttpResponseRedirect(back_url)
    report = services.upload_finals(
        [(upload.name, upload) for upload in files], jobs=jobs, actor=request.user
    )
    if wants_json(request):
        results = [
            {"name": name, "status": "matched", "job": job.pk,
             "rush": job.rush.original_filename, "session": str(job.session)}
            for name, job in report.matched
        ]
        results += [{"name": name, "status": "unmatched"} for name in report.unmatched]
        results += [{"name": name, "status": "refused", "reason": why}
                    for name, why in report.refused]
        return JsonResponse({"results": results})
    return TemplateResponse(
        request,
        "admin/booker/finals_result.html",
        {**context, "report": report, "back_url": back_url,
         "title": gettext("Retouched files uploaded")},
    )


class DueDateForm(forms.Form):
    due_date = forms.DateField(label=_("due date"), required=False)


class ExtendForm(forms.Form):
    until = forms.DateField(label=_("downloads open until"), required=False)

    def closing(self):
        """The chosen day's end, in the studio's time zone (None: the default extension)."""
        day = self.cleaned_data.get("until")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59)))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason (kept in the session's history)"), required=False,
                             max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


def studio_url(name: str, *args) -> str:
    """The URL of a studio page of a session (the names `get_urls` gives them)."""
    return reverse(f"admin:booker_photosession_{name}", args=args)


def studio_session(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int,
) -> PhotoSession:
    """The session, for people who run the studio and see it (`back_office_sessions`, the
    rule of the files). Refused (403) before anything else — and before an upload's body
    is read."""
    if not selectors.runs_the_studio(request.user):
        raise PermissionDenied
    session = model_admin.get_queryset(request).filter(pk=object_id).first()
    if session is None:
        raise Http404("No such session.")
    return session


def studio_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int,
) -> HttpResponse:
    session = studio_session(model_admin, request, object_id)
    counts = selectors.ingest_counts(session)
    status = session.status
    picks = list(selectors.picks(session))
    jobs = list(selectors.session_jobs(session))
    actions = selectors.session_actions(session, request.user)
    can_upload_rushes = Action.ADD_RUSHES in actions
    context = model_admin.studio_context(
        request,
        title=session.title,
        subtitle=gettext("Studio"),
        session=session,
        original=session,
        status_badge=model_admin.status_badge(session),
        steps=selectors.road_steps(status),
        counts=counts,
        in_flight=counts[Ingest.PENDING] + counts[Ingest.PROCESSING],
        rushes=[(rush, rush_thumb_url(rush)) for rush in selectors.studio_rushes(session)],
        picks=[(item, rush_thumb_url(item.rush)) for item in picks],
        picked_count=sum(1 for item in picks if item.picked),
        search_string=exports.search_string(picks),
        xmp_label=exports.xmp_label(),
        picks_keyword=exports.picks_keyword(session.pk),
        jobs=[(job, rush_thumb_url(job.rush)) for job in jobs],
        jobs_done=sum(1 for job in jobs if job.status == JobStatus.DONE),
        # What may be done now is the SESSION table's, the person's and the domain's answer
        # (selectors.session_actions); the page only shows it.
        can_upload_rushes=can_upload_rushes,
        can_publish=Action.PUBLISH in actions,
        is_booked=status == SESSION.initial,
        # The picks exist once the rushes' window has closed (the proofs went out).
        shows_picks=selectors.proofs_published(status),
        # More rushes while the client chooses: the card says they will be told.
        adds_to_published=can_upload_rushes and selectors.proofs_published(status),
        can_reopen=Action.REOPEN in actions,
        can_start_retouching=Action.START_RETOUCHING in actions,
        can_upload_finals=Action.UPLOAD_FINALS in actions,
        can_deliver=Action.DELIVER in actions,
        can_send_for_approval=Action.SEND_FOR_APPROVAL in actions,
        # A package where the client approves the finals: where their approval stands.
        approval=selectors.finals_approval(session),
        can_cancel=Action.CANCEL in actions,
        # The delivery's card shows once the client has the finals.
        shows_delivery=selectors.client_view(session).finals_visible,
        originals=selectors.originals_by_tier(session),
        can_archive=Action.ARCHIVE in actions,
        can_restore=Action.RESTORE in actions,
        archive_after_days=settings.BOOKER_ARCHIVE_AFTER_DAYS,
        due_form=DueDateForm(),
        reason_form=ReasonForm(),
        jobs_url=reverse("admin:booker_retouchjob_changelist") + f"?session__id__exact="
        f"{session.pk}",
        upload_url=studio_url("uploads", session.pk),
        progress_url=studio_url("progress", session.pk),
        finals_url=studio_url("finals", session.pk),
        upload_part_size=uploads.base_part_size(),
        change_url=reverse("admin:booker_photosession_change", args=[session.pk]),
        # What the automation did for this session, and its history (booker/automation).
        session_messages=automation.session_messages(session),
        tasks=automation.open_tasks(session),
        history=automation.session_history(session),
        messages_url=reverse("admin:booker_message_changelist")
        + f"?session__id__exact={session.pk}",
        downloads_open=selectors.downloads_open(getattr(session, "delivery", None)),
        # Who downloaded what of the delivery (DownloadLog), as the company's activity log.
        downloads=team_selectors.session_downloads(session),
        extend_form=ExtendForm(),
        # What is owed and paid: the Booker's own amounts, and the orders other parts of the
        # site tie to the session (the shop's panel, booker.sessions.panels).
        money=session_money(session),
        panels=session_panels(session, request.user),
    )
    return TemplateResponse(request, "admin/booker/photosession/studio.html", context)


def upload_start(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int,
) -> HttpResponse:
    """Start (or resume) the upload of one rush; see booker.uploads."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = studio_session(model_admin, request, object_id)
    try:
        body = json_body(request)
        started = uploads.start_upload(
            session, filename=body.get("filename", ""), size=body.get("size"),
            sha256=body.get("sha256", ""), part_checksums=body.get("part_sha256"),
            actor=request.user,
        )
    except services.StudioError as exc:
        return refusal(exc)
    if started.duplicate_of is not None:
        rush = started.duplicate_of
        return JsonResponse({"status": "duplicate", "rush": rush.pk,
                             "stored_as": rush.original_filename})
    upload = started.upload
    return JsonResponse({
        "status": "uploading", "upload": upload.pk, "mode": started.mode,
        "part_size": upload.part_size,
        "parts": [{"number": n, "size": size} for n, size in started.parts],
        "received": upload.received,
    }, status=201 if upload.received == 0 and not started.parts else 200)


def upload_step(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int, upload_id: int,
                step: str = "") -> HttpResponse:
    """One upload's steps: part URLs (S3), a chunk (local), complete, abort (DELETE)."""
    session = studio_session(model_admin, request, object_id)
    upload = session.uploads.filter(pk=upload_id).first()
    if upload is None:
        raise Http404("No such upload.")
    allowed = {"": "DELETE", "parts": "POST", "chunk": "PUT", "complete": "POST"}
    if step not in allowed:
        raise Http404("No such step.")
    if request.method != allowed[step]:
        return HttpResponseNotAllowed([allowed[step]])
    try:
        if step == "parts":
            numbers = json_body(request).get("numbers") or []
            urls = uploads.part_urls(upload, numbers)
            return JsonResponse({"urls": {str(n): url for n, url in urls.items()}})
        if step == "chunk":
            try:
                offset = int(request.GET.get("offset", ""))
                length = int(request.headers.get("Content-Length") or 0)
            except ValueError:
                return JsonResponse({"status": "error",
                                     "error": gettext("offset and length are needed")},
                                    status=400)
            received = uploads.receive_chunk(upload, offset, request, length)
            return JsonResponse({"received": received})
        if step == "complete":
            added = uploads.complete_upload(upload, actor=request.user)
            return JsonResponse(
                {"status": "duplicate" if added.duplicate else "created",
                 "rush": added.rush.pk, "stored_as": added.rush.original_filename},
                status=200 if added.duplicate else 201,
            )
        uploads.abort_upload(upload)
        return HttpResponse(status=204)
    except uploads.OffsetMismatch as exc:
        return JsonResponse({"status": "error", "error": str(exc),
                             "received": exc.received}, status=409)
    except services.StudioError as exc:
        return refusal(exc)


def progress(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int) -> JsonResponse:
    """What the studio page polls while proofs are being made."""
    session = studio_session(model_admin, request, object_id)
    counts = selectors.ingest_counts(session)
    rushes = [
        {"id": rush.pk, "name": rush.original_filename, "status": rush.ingest_status,
         "label": rush.get_ingest_status_display(), "reason": rush.failure_reason,
         "thumb": rush_thumb_url(rush)}
        for rush in selectors.studio_rushes(session).only(
            "pk", "original_filename", "ingest_status", "failure_reason", "thumbnail"
        )
    ]
    return JsonResponse({
        "session_status": session.status,
        "session_status_label": session.get_status_display(),
        "counts": counts,
        "in_flight": counts[Ingest.PENDING] + counts[Ingest.PROCESSING],
        "rushes": rushes,
    })


def session_finals(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int,
) -> HttpResponse:
    """The photographer uploads the finals of a whole session, matched by file name."""
    session = studio_session(model_admin, request, object_id)
    back_url = studio_url("studio", session.pk)
    return receive_uploads(
        request,
        lambda request: finals_response(
            request, selectors.session_jobs(session), back_url=back_url,
            context=model_admin.studio_context(request, session=session),
        ),
    )


def step(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int, step: str,
) -> HttpResponse:
    """The studio page's buttons: one service call each, refusals become messages."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    session = studio_session(model_admin, request, object_id)
    actor = request.user
    try:
        if step == "publish":
            services.publish_proofs(session, actor=actor)
            done = gettext("Proofs published: the client can now choose their photos.")
        elif step == "reopen":
            services.reopen_selection(session, actor=actor)
            done = gettext("The selection is open again: the client can change it.")
        elif step == "start-retouching":
            form = DueDateForm(request.POST)
            if not form.is_valid():
                raise services.StudioError(gettext("The due date is not a valid date."))
            jobs = services.start_retouching(session, actor=actor,
                                             due_date=form.cleaned_data["due_date"])
            done = ngettext("Retouching started: %(n)d job created.",
                            "Retouching started: %(n)d jobs created.",
                            len(jobs)) % {"n": len(jobs)}
        elif step == "send-for-approval":
            sent = services.send_finals_for_approval(session, actor=actor)
            done = ngettext("%(n)d retouch sent to the client for approval.",
                            "%(n)d retouches sent to the client for approval.",
                            sent) % {"n": sent}
        elif step == "deliver":
            services.deliver(session, actor=actor,
                             message=request.POST.get("message", "").strip())
            done = gettext("Delivered: the client can download the photos.")
        elif step == "cancel":
            form = ReasonForm(request.POST)
            form.is_valid()
            services.cancel_session(session, actor=actor,
                                    reason=form.cleaned_data.get("reason", ""))
            done = gettext("The session is cancelled.")
        elif step == "archive":
            archive.queue_archive(session, actor=actor)
            done = gettext("Archiving started: each original goes offline once its "
                           "archived copy is verified. Proofs and finals stay online.")
        elif step == "restore":
            archive.request_restore(session, actor=actor)
            done = gettext("Restore requested: the session shows “restoring” until the "
                           "originals are back, and you will get an email then.")
        elif step == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                raise services.StudioError(gettext("The closing date is not a valid date."))
            delivery = services.extend_downloads(session, actor=actor, until=form.closing())
            done = gettext("The downloads stay open until %(date)s.") % {
                "date": date_format(timezone.localtime(delivery.expires_at), "j F Y")}
        elif step == "resend":
            # A given-up message of this session, sent again once its cause is fixed.
            message = session.messages.filter(pk=request.POST.get("message") or 0).first()
            if message is None or not services.retry_message(message):
                raise services.StudioError(gettext("Only a given-up message can be sent again."))
            done = gettext("The message will be sent again.")
        elif step == "retry":
            count = services.retry_rushes(
                session.rushes.filter(ingest_status=Ingest.FAILED), actor=actor
            )
            done = ngettext("%(n)d rush queued again.", "%(n)d rushes queued again.",
                            count) % {"n": count}
        else:
            raise Http404("No such step.")
    except services.StudioError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(studio_url("studio", session.pk))


def export(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int, kind: str,
) -> HttpResponse:
    """The client's picks for Lightroom / Capture One (see booker.proofing.exports)."""
    session = studio_session(model_admin, request, object_id)
    picks = list(selectors.picks(session))
    base = f"{slugify(session.title) or 'session'}-{session.pk}"
    if kind == "search":
        body, mime, name = exports.search_string(picks), "text/plain; charset=utf-8", \
            f"{base}-search.txt"
    elif kind == "capture-one":
        body, mime, name = exports.capture_one_names(picks), "text/plain; charset=utf-8", \
            f"{base}-capture-one.txt"
    elif kind == "csv":
        # The BOM makes Excel read the clients' accents as UTF-8.
        body, mime, name = exports.picks_csv(picks).encode("utf-8-sig"), \
            "text/csv; charset=utf-8", f"{base}-picks.csv"
    elif kind == "xmp":
        body, mime, name = exports.xmp_zip(picks), "application/zip", f"{base}-xmp.zip"
    else:
        raise Http404("No such export.")
    return HttpResponse(body, content_type=mime, headers={
        "Content-Disposition": content_disposition_header(True, name),
    })


def my_jobs_page(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    jobs = list(selectors.jobs_of(request.user))
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "admin/booker/retouchjob/my_jobs.html",
        model_admin.studio_context(
            request,
            title=gettext("My retouches"),
            jobs=[(job, rush_thumb_url(job.rush),
                   bool(job.due_date and job.due_date < today)) for job in jobs],
            finals_url=reverse("admin:booker_retouchjob_mine_finals"),
            originals_zip_url=reverse("admin:booker_retouchjob_mine_originals"),
        ),
    )


def my_finals(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """A retoucher drops their finished files; each goes to their own job of that name."""
    if not request.user.has_perm("booker.add_finalphoto"):
        raise PermissionDenied
    back_url = reverse("admin:booker_retouchjob_mine")
    return receive_uploads(
        request,
        lambda request: finals_response(
            request, selectors.jobs_of(request.user), back_url=back_url,
            context=model_admin.studio_context(request),
        ),
    )
