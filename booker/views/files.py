"""The portal's private files: proofs and thumbnails of rushes, delivered finals, the ZIP of a
delivery. Who may fetch what is decided by one rule, `booker.selectors.may_see_session_files`
(by relationship: the studio working on the session, the client and their company); these
views only ask it and stream. A download is logged only once the rule let it through.

Local storage (the default) is streamed by Django. Any other storage (S3) answers with a
redirect to a signed link that expires within minutes, built in `storage_url()`; the views
make it only after their permission check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import PurePath

import zipstream
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage, Storage
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from booker import selectors, services
from booker.branding import studio_details
from booker.delivery.files import (  # noqa: F401 -- storage_url: the views' public name
    REDIRECT_MAX_AGE,
    client_filename,
    content_disposition,
    storage_url,
    unique_name,
    zip_entry_name,
)
from booker.delivery.library import web_copy
from booker.delivery.selectors import size_refused_for
from booker.http import client_ip
from booker.models import Delivery, FinalPhoto, User
from booker.storage import iter_chunks, unavailable_as_refusal

CHUNK = 1024 * 1024
# Proofs and thumbnails do not change once made; the browser may keep them while the client
# scrolls and swipes, but never share them (private).
PROOF_MAX_AGE = 60 * 60


def serve_private(
    fieldfile: FieldFile, *, download_name: str | None = None, inline: bool = True
) -> HttpResponse:
    if not fieldfile:
        raise Http404("No file.")
    if not isinstance(fieldfile.storage, FileSystemStorage):
        response = HttpResponseRedirect(storage_url(fieldfile, download_name, inline))
        if inline:
            # The views let the browser keep a proof for an hour; a kept redirect must not
            # outlive the signed link it points to (patch_cache_control keeps the smaller).
            patch_cache_control(response, private=True, max_age=REDIRECT_MAX_AGE)
        return response
    try:
        handle = fieldfile.storage.open(fieldfile.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    # FileResponse streams in blocks, sets Content-Length and closes the file when done.
    return FileResponse(
        handle, as_attachment=not inline, filename=download_name or PurePath(fieldfile.name).name
    )


def ensure_stored(fieldfile: FieldFile) -> None:
    """Before a download's redirect to a signed S3 link: S3 holds the file and answers.

    The link is made without asking S3, so while S3 is down the browser would fail on S3's
    address with its own message (and on a missing object with S3's XML). One HEAD per
    download lets the studio answer instead: a French 503 within the storage's timeouts
    (StorageUnavailable, through booker.http.StorageUnavailableMiddleware), or a 404. Not
    for proofs and thumbnails: a gallery shows hundreds, each HEAD would cost a round trip."""
    if not fieldfile:
        raise Http404("No file.")
    if isinstance(fieldfile.storage, FileSystemStorage):
        return  # serve_private opens it, and answers 404 itself
    with unavailable_as_refusal():
        if not fieldfile.storage.exists(fieldfile.name):
            raise Http404("The file is missing.")


def _log(request: HttpRequest, delivery: Delivery | None, final: FinalPhoto | None) -> None:
    if delivery is None:
        # A retoucher checking a final before delivery: there is no delivery to log it against.
        return
    services.log_download(
        delivery,
        user=request.user,
        final=final,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


@login_required
@require_GET
def rush_thumb(request: HttpRequest, rush_id: int) -> HttpResponse:
    rush = selectors.rush_file_for(request.user, rush_id)
    response = serve_private(rush.thumbnail)
    patch_cache_control(response, private=True, max_age=PROOF_MAX_AGE)
    return response


@login_required
@require_GET
def rush_proof(request: HttpRequest, rush_id: int) -> HttpResponse:
    rush = selectors.rush_file_for(request.user, rush_id)
    response = serve_private(rush.proof, download_name=f"{rush.stem}.jpg")
    patch_cache_control(response, private=True, max_age=PROOF_MAX_AGE)
    return response


def _closed(request: HttpRequest, session, delivery: Delivery) -> HttpResponse:
    """The client's downloads have closed (Delivery.expires_at): 410, and whom to ask."""
    return render(request, "booker/portal/downloads_closed.html", {
        "session": session, "delivery": delivery,
        "studio_email": studio_details().get("email", ""),
    }, status=410)


@login_required
@require_GET
def final_download(request: HttpRequest, final_id: int) -> HttpResponse:
    final = selectors.final_file_for(request.user, final_id)
    if size_refused_for(request.user, final.job.session, "hd"):
        # A web-only package: the HD file is not what was sold (the web copy is).
        raise Http404("This package has no HD size.")
    delivery = Delivery.objects.filter(session_id=final.job.session_id).first()
    if selectors.downloads_closed_for(request.user, final.job.session, delivery):
        return _closed(request, final.job.session, delivery)
    ensure_stored(final.file)
    response = serve_private(final.file, download_name=client_filename(final), inline=False)
    _log(request, delivery, final)
    return response


@login_required
@require_GET
def final_screen(request: HttpRequest, final_id: int) -> HttpResponse:
    """The final as a screen sees it, without watermark, for whoever may download it: the web
    copy (booker.delivery.library.web_copy, long side 2048 px, sRGB). For viewing the delivered
    photos and framing a print on them; not a download, so not logged, and shown while the
    downloads are closed too (a client still sees what they paid for). Before delivery, the
    finals the client is asked to approve (a package that says so) show here, and only here."""
    final = selectors.final_file_for(request.user, final_id, to_approve=True)
    response = serve_private(web_copy(final), download_name=f"{final.job.rush.stem}.jpg")
    patch_cache_control(response, private=True, max_age=PROOF_MAX_AGE)
    return response


class DownloadRevoked(Exception):
    """The person lost access while their ZIP was being sent."""


def _read_chunks(storage: Storage, name: str,
                 still_allowed: Callable[[], bool] | None = None) -> Iterator[bytes]:
    """The file's bytes, a block at a time; opened only when the ZIP reaches it, and read
    from S3 as they arrive (never a whole final in memory or on local disk). With
    `still_allowed`, asked again before each file: a company member removed (or an account
    closed) while a long ZIP is sent gets no further photo; the archive stops, broken."""
    if still_allowed is not None and not still_allowed():
        raise DownloadRevoked(name)
    yield from iter_chunks(storage, name, CHUNK)


def _read_first_now(storage: Storage, name: str) -> Iterator[bytes]:
    """`_read_chunks` of the ZIP's first file, its first block read before the response is
    returned: with the storage down the person gets a French 503 page within the storage's
    timeouts (booker.http.StorageUnavailableMiddleware), not a download that starts and breaks
    at its first byte. The GET is the one the ZIP makes anyway; the permission was just
    checked, so the first file is not asked again."""
    chunks = iter_chunks(storage, name, CHUNK)
    with unavailable_as_refusal():
        first = next(chunks, None)
    return chain([first] if first is not None else [], chunks)


def _still_allowed(user_id: int, session) -> Callable[[], bool]:
    def ask() -> bool:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        return user is not None and selectors.may_see_session_files(
            user, session, selectors.SessionFiles.FINALS)
    return ask


@login_required
@require_GET
def delivery_zip(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Every delivered final in one ZIP, produced while it is sent: stored (JPEGs do not
    compress) so that its exact length is known before the first byte and the browser shows
    a real progress bar."""
    session, delivery = selectors.delivery_for(request.user, session_pk)
    if size_refused_for(request.user, session, "hd"):
        raise Http404("This package has no HD size.")
    if selectors.downloads_closed_for(request.user, session, delivery):
        return _closed(request, session, delivery)
    # Plain rows, not models: a wedding's 200–2,000 finals are listed before the first byte.
    # On a headshot day a plain member's ZIP holds the photos they sit in; photos the
    # company's admins hid are left out for its members.
    finals = selectors.finals_for(request.user, session,
                                  selectors.delivered_finals(session)).values_list(
        "file", "size", "original_filename", "job__rush__original_filename"
    )
    storage = FinalPhoto._meta.get_field("file").storage
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED, sized=True)
    taken: set[str] = set()
    still_allowed = None
    if session.company_id and not selectors.works_on_session(request.user, session):
        # Membership of a company can end at any moment (an admin removes a colleague).
        still_allowed = _still_allowed(request.user.pk, session)
    for key, size, final_filename, rush_filename in finals:
        # The size recorded at upload is the size of the stored bytes; a sized ZipStream
        # refuses to finish if they ever differ, rather than send a corrupt archive.
        name = unique_name(zip_entry_name(rush_filename, final_filename, key), taken)
        first = len(taken) == 1  # unique_name has just added this one
        chunks = _read_first_now(storage, key) if first else _read_chunks(storage, key,
                                                                          still_allowed)
        archive.add(chunks, name, size=size)
    if not taken:
        raise Http404("Nothing to download.")
    response = StreamingHttpResponse(archive, content_type="application/zip")
    response["Content-Length"] = str(len(archive))
    name = slugify(session.title) or f"session-{session.pk}"
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.zip")
    _log(request, delivery, None)
    return response
