"""The portal's private files: proofs and thumbnails of rushes, delivered finals, the ZIP of a
delivery. Who may fetch what is decided in booker.selectors; these views only stream.

Local storage (the default) is streamed by Django. Any other storage (S3) answers with a
redirect to the storage's own URL, built in `storage_url()` so that signing it is one change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

import zipstream
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from booker import selectors, services
from booker.models import Delivery, FinalPhoto

CHUNK = 256 * 1024
# Proofs and thumbnails do not change once made; the browser may keep them while the client
# scrolls and swipes, but never share them (private).
PROOF_MAX_AGE = 60 * 60


def storage_url(fieldfile: FieldFile, *, download_name: str | None = None) -> str:
    """Where a browser fetches a file that Django does not stream itself (S3).

    The one place to add a signed, expiring URL and a Content-Disposition for `download_name`
    (e.g. S3's ResponseContentDisposition parameter) when remote storage is switched on."""
    return fieldfile.storage.url(fieldfile.name)


def _serve(
    fieldfile: FieldFile, *, download_name: str | None = None, inline: bool = True
) -> HttpResponse:
    if not fieldfile:
        raise Http404("No file.")
    if not isinstance(fieldfile.storage, FileSystemStorage):
        return HttpResponseRedirect(storage_url(fieldfile, download_name=download_name))
    try:
        handle = fieldfile.storage.open(fieldfile.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    # FileResponse streams in blocks, sets Content-Length and closes the file when done.
    return FileResponse(
        handle, as_attachment=not inline, filename=download_name or PurePath(fieldfile.name).name
    )


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is whatever the client wants it to be unless a
    # trusted proxy sets it, and the deployment decides that, not this view.
    return request.META.get("REMOTE_ADDR") or None


def _log(request: HttpRequest, delivery: Delivery | None, final: FinalPhoto | None) -> None:
    if delivery is None:
        # A retoucher checking a final before delivery: there is no delivery to log it against.
        return
    services.log_download(
        delivery,
        user=request.user,
        final=final,
        ip_address=_client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


def client_filename(final: FinalPhoto) -> str:
    """The name the client knows: the rush's name from the gallery (IMG_0012) with the final's
    extension — not the retoucher's working name (IMG_0012-edit) nor the storage key."""
    suffix = PurePath(final.original_filename).suffix or PurePath(final.file.name).suffix
    return f"{final.job.rush.stem}{suffix.lower()}"


def _unique(name: str, taken: set[str]) -> str:
    """Two cameras can both shoot an IMG_0001: a ZIP must not hold two entries of one name."""
    candidate, n = name, 1
    path = PurePath(name)
    while candidate.lower() in taken:
        n += 1
        candidate = f"{path.stem} ({n}){path.suffix}"
    taken.add(candidate.lower())
    return candidate


@login_required
@require_GET
def rush_thumb(request: HttpRequest, rush_id: int) -> HttpResponse:
    rush = selectors.rush_file_for(request.user, rush_id)
    response = _serve(rush.thumbnail)
    patch_cache_control(response, private=True, max_age=PROOF_MAX_AGE)
    return response


@login_required
@require_GET
def rush_proof(request: HttpRequest, rush_id: int) -> HttpResponse:
    rush = selectors.rush_file_for(request.user, rush_id)
    response = _serve(rush.proof, download_name=f"{rush.stem}.jpg")
    patch_cache_control(response, private=True, max_age=PROOF_MAX_AGE)
    return response


@login_required
@require_GET
def final_download(request: HttpRequest, final_id: int) -> HttpResponse:
    final = selectors.final_file_for(request.user, final_id)
    response = _serve(final.file, download_name=client_filename(final), inline=False)
    delivery = Delivery.objects.filter(session_id=final.job.session_id).first()
    _log(request, delivery, final)
    return response


def _read_chunks(fieldfile: FieldFile) -> Iterator[bytes]:
    """The file's bytes, a block at a time; opened only when the ZIP reaches it."""
    with fieldfile.storage.open(fieldfile.name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


@login_required
@require_GET
def delivery_zip(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Every delivered final in one ZIP, produced while it is sent: stored (JPEGs do not
    compress) so that its exact length is known before the first byte and the browser shows
    a real progress bar."""
    session, delivery = selectors.delivery_for(request.user, session_pk)
    finals = list(selectors.delivered_finals(session))
    if not finals:
        raise Http404("Nothing to download.")
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED, sized=True)
    taken: set[str] = set()
    for final in finals:
        # The size recorded at upload is the size of the stored bytes; a sized ZipStream
        # refuses to finish if they ever differ, rather than send a corrupt archive.
        archive.add(
            _read_chunks(final.file), _unique(client_filename(final), taken), size=final.size
        )
    response = StreamingHttpResponse(archive, content_type="application/zip")
    response["Content-Length"] = str(len(archive))
    name = slugify(session.title) or f"session-{session.pk}"
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.zip")
    _log(request, delivery, None)
    return response
