"""The delivered photos: the web size of each final and of the whole delivery (the HD ones are
booker/views/files.py's), and the view-only link a client gives their family (/partage/<token>/).

Who gets what is asked of booker.delivery.selectors (the sizes the package unlocks, who may
share, whether a link is still open); changes go through booker.delivery.services."""

from __future__ import annotations

import zipstream
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from booker import selectors
from booker.delivery import selectors as delivery
from booker.delivery import services
from booker.delivery.files import unique_name
from booker.delivery.library import web_copy
from booker.errors import StudioError
from booker.http import client_ip
from booker.models import Delivery, DownloadLog, FinalPhoto, PhotoSession, ShareLink
from booker.sessions.models import DeliverySizes
from booker.throttle import limit
from booker.views.files import (
    PROOF_MAX_AGE,
    _closed,
    _read_chunks,
    _still_allowed,
    serve_private,
)

WEB = DownloadLog.Size.WEB


def web_name(final: FinalPhoto) -> str:
    """The web copy's name beside the HD one in the same folder: IMG_0012-web.jpg."""
    return f"{final.job.rush.stem}-web.jpg"


def _log_web(request: HttpRequest, delivery_row: Delivery | None,
             final: FinalPhoto | None) -> None:
    if delivery_row is None:
        return
    services.log_download(
        delivery_row, user=request.user, final=final, ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""), size=WEB,
    )


@login_required
@require_GET
def final_web_download(request: HttpRequest, final_id: int) -> HttpResponse:
    """One final's web copy, as a download (logged, size "web")."""
    final = selectors.final_file_for(request.user, final_id)
    session = final.job.session
    if delivery.size_refused_for(request.user, session, DeliverySizes.WEB):
        raise Http404("This package has no web size.")
    delivery_row = Delivery.objects.filter(session=session).first()
    if selectors.downloads_closed_for(request.user, session, delivery_row):
        return _closed(request, session, delivery_row)
    response = serve_private(web_copy(final), download_name=web_name(final), inline=False)
    _log_web(request, delivery_row, final)
    return response


@login_required
@require_GET
def delivery_web_zip(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Every delivered final's web copy in one ZIP, as the HD one (booker.views.files
    .delivery_zip): stored, sized, the access asked again before each file for a company's
    member. A copy the worker has not made yet is made here, before the first byte."""
    session, delivery_row = selectors.delivery_for(request.user, session_pk)
    if delivery.size_refused_for(request.user, session, DeliverySizes.WEB):
        raise Http404("This package has no web size.")
    if selectors.downloads_closed_for(request.user, session, delivery_row):
        return _closed(request, session, delivery_row)
    finals = selectors.finals_for(request.user, session, selectors.delivered_finals(session))
    archive = zipstream.ZipStream(compress_type=zipstream.ZIP_STORED, sized=True)
    taken: set[str] = set()
    still_allowed = None
    if session.company_id and not selectors.works_on_session(request.user, session):
        still_allowed = _still_allowed(request.user.pk, session)
    for final in finals:
        copy = web_copy(final)
        name = unique_name(web_name(final), taken)
        archive.add(_read_chunks(copy.storage, copy.name, still_allowed), name,
                    size=copy.storage.size(copy.name))
    if not taken:
        raise Http404("Nothing to download.")
    response = StreamingHttpResponse(archive, content_type="application/zip")
    response["Content-Length"] = str(len(archive))
    name = slugify(session.title) or f"session-{session.pk}"
    response["Content-Disposition"] = content_disposition_header(True, f"{name}-web.zip")
    _log_web(request, delivery_row, None)
    return response


def page_context(request: HttpRequest, session: PhotoSession) -> dict[str, object]:
    """What the portal's delivered page adds (booker/views/portal.py): the sizes the package
    unlocks, and the family links for those who may make them."""
    sharing = delivery.may_share(request.user, session)
    links = delivery.share_links_of(session) if sharing else []
    return {
        "offers_hd": delivery.offers_hd(session) or selectors.works_on_session(
            request.user, session),
        "offers_web": delivery.offers_web(session) or selectors.works_on_session(
            request.user, session),
        "may_share": sharing,
        "share_links": [
            (link, request.build_absolute_uri(reverse("share:page", args=[link.token])),
             delivery.share_closes_at(link))
            for link in links
        ],
    }


# --- Family share links ----------------------------------------------------------------------


def _session_to_share(request: HttpRequest, pk: int) -> PhotoSession:
    session = selectors.session_for(request.user, pk)
    if not delivery.may_share(request.user, session):
        raise Http404("Not yours to share.")
    return session


@login_required
@require_POST
def share_create(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_to_share(request, pk)
    try:
        services.create_share_link(session, user=request.user)
    except StudioError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Link created: copy it below and send it to your family."))
    return redirect(f"{session_url(session)}#share")


@login_required
@require_POST
def share_revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    session = _session_to_share(request, pk)
    try:
        services.revoke_share_link(session, link_id, user=request.user)
    except StudioError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Link revoked: it no longer opens."))
    return redirect(f"{session_url(session)}#share")


def session_url(session: PhotoSession) -> str:
    return reverse("portal:session", args=[session.pk])


def _private(response: HttpResponse) -> HttpResponse:
    """A family link's answers: never indexed, the token never sent on to another site."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _gone(request: HttpRequest, link: ShareLink) -> HttpResponse:
    response = render(request, "booker/share/gone.html", {"link": link}, status=410)
    add_never_cache_headers(response)
    return _private(response)


@limit("share_view", methods=("GET",))
@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The family's page: the web copies, no download, no login. A token that never existed is
    a 404; one that expired, was revoked or whose creator lost the session, a 410 that says so."""
    link = delivery.share_link(token)
    if not delivery.share_is_open(link):
        return _gone(request, link)
    services.count_share_view(link)
    finals = list(delivery.shared_finals(link).select_related("job__rush"))
    response = render(request, "booker/share/page.html", {
        "link": link, "session": link.session, "finals": finals,
        "closes_at": delivery.share_closes_at(link),
    })
    add_never_cache_headers(response)
    return _private(response)


@require_GET
def shared_photo(request: HttpRequest, token: str, final_id: int) -> HttpResponse:
    """One photo of a family link: its web copy, never the HD file, the link checked again."""
    link = delivery.share_link(token)
    if not delivery.share_is_open(link):
        return _gone(request, link)
    final = delivery.shared_finals(link).filter(pk=final_id).select_related("job__rush").first()
    if final is None:
        raise Http404("No such photo.")
    response = serve_private(web_copy(final), download_name=f"{final.job.rush.stem}.jpg")
    # Short: a revoked link must stop showing photos soon, even from the browser's cache.
    patch_cache_control(response, private=True, max_age=min(PROOF_MAX_AGE, 300))
    return _private(response)
