"""The company's brand library: /portal/entreprise/<slug>/photos/ (booker.delivery.library).

Every view asks, at each request, for the person's membership of the company named by the
slug (404 for anyone else, a member removed a second ago included), then for the final
through the library's own list: a final of another company, or hidden from a member, is a
404 whatever id is typed. Admins of the company hide photos and tag them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from booker import selectors, services
from booker.branding import studio_details
from booker.delivery import library
from booker.delivery.files import client_filename
from booker.http import client_ip
from booker.models import FinalPhoto, Membership
from booker.views.files import PROOF_MAX_AGE, ensure_stored, serve_private


class SearchForm(forms.Form):
    person = forms.CharField(label=gettext_lazy("Person"), required=False, max_length=100)
    event = forms.CharField(label=gettext_lazy("Event"), required=False, max_length=100)
    tag = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=60)
    date_from = forms.DateField(label=pgettext_lazy("library search", "From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=pgettext_lazy("library search", "To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def search(self) -> library.LibrarySearch:
        if not self.is_valid():
            # A mistyped date searches on what else was typed rather than failing the page.
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return library.LibrarySearch(
            person=data.get("person") or "", event=data.get("event") or "",
            tag=data.get("tag") or "", date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


SEARCH_FIELDS = tuple(SearchForm.base_fields)


@dataclass(frozen=True)
class Card:
    """A final as its card shows it: the name the client knows, its thumbnail's box (so the
    grid never jumps while images load), the sitter, the package's usage rights."""

    final: FinalPhoto
    name: str
    thumb_width: int
    thumb_height: int
    sitter: str
    usage_rights: str


def _thumb_size(width: int | None, height: int | None) -> tuple[int, int]:
    w, h = width or services.THUMB_EDGE, height or services.THUMB_EDGE
    scale = min(1.0, services.THUMB_EDGE / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _card(final: FinalPhoto) -> Card:
    rush = final.job.rush
    return Card(
        final=final, name=client_filename(final),
        thumb_width=_thumb_size(rush.width, rush.height)[0],
        thumb_height=_thumb_size(rush.width, rush.height)[1],
        sitter=str(rush.sitter) if rush.sitter_id else "",
        usage_rights=library.usage_rights(final),
    )


def _search_query(data: QueryDict) -> str:
    """The search's own fields of a query string (nothing else is carried back)."""
    kept = QueryDict(mutable=True)
    for key in (*SEARCH_FIELDS, "page"):
        value = data.get(key, "")
        if value:
            kept[key] = value[:100]
    return kept.urlencode()


@login_required
@require_GET
def library_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership = library.library_membership(request.user, slug)
    form = SearchForm(request.GET)
    search = form.search()
    finals = library.library_finals(membership, search)
    page = Paginator(finals, library.PAGE_SIZE).get_page(request.GET.get("page"))
    query = _search_query(request.GET)
    filters = QueryDict(query, mutable=True)
    filters.pop("page", None)
    return render(request, "booker/company/library.html", {
        "company": membership.company,
        "acting_company": membership.company,
        "membership": membership,
        "is_admin": membership.role == membership.Role.ADMIN,
        "manages": library.manages_library(membership),
        "form": form,
        "searching": search.active,
        "page": page,
        "cards": [_card(final) for final in page.object_list],
        "tags": library.company_tags(membership),
        "query": query,
        "filters": filters.urlencode(),
    })


@login_required
@require_GET
def thumb(request: HttpRequest, slug: str, final_id: int) -> HttpResponse:
    membership = library.library_membership(request.user, slug)
    final = library.library_final(membership, final_id)
    response = serve_private(final.job.rush.thumbnail)
    patch_cache_control(response, private=True, max_age=PROOF_MAX_AGE)
    return response


@login_required
@require_GET
def download(request: HttpRequest, slug: str, final_id: int, size: str) -> HttpResponse:
    """The final in the size asked: "impression" the file as delivered, "web" its copy for
    screens. Logged (with the size) once the file is about to be sent."""
    wanted = library.SIZE_SLUGS.get(size)
    if wanted is None:
        raise Http404("No such size.")
    membership = library.library_membership(request.user, slug)
    final = library.library_final(membership, final_id)
    session = final.job.session
    delivery = getattr(session, "delivery", None)
    if selectors.downloads_closed_for(request.user, session, delivery):
        return render(request, "booker/portal/downloads_closed.html", {
            "session": session, "delivery": delivery,
            "studio_email": studio_details().get("email", ""),
        }, status=410)
    if wanted == library.Size.WEB:
        fieldfile = library.web_copy(final)
        name = f"{PurePath(client_filename(final)).stem}-web.jpg"
    else:
        fieldfile, name = final.file, client_filename(final)
    # Asked again right before the first byte: making the web copy takes a moment, and a
    # member removed (or a photo hidden) meanwhile gets nothing.
    library.library_final(library.library_membership(request.user, slug), final_id)
    ensure_stored(fieldfile)
    response = serve_private(fieldfile, download_name=name, inline=False)
    if delivery is not None:
        services.log_download(
            delivery, user=request.user, final=final, ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""), size=wanted,
        )
    return response


def _admin_membership(request: HttpRequest, slug: str) -> Membership:
    membership = library.library_membership(request.user, slug)
    if not library.manages_library(membership):
        raise PermissionDenied("Only the company's admins change the library.")
    return membership


def _back(request: HttpRequest, slug: str, final_id: int) -> HttpResponse:
    url = reverse("portal:library:library", kwargs={"slug": slug})
    query = _search_query(QueryDict(request.POST.get("query", "")))
    return redirect(f"{url}{'?' + query if query else ''}#photo-{final_id}")


@login_required
@require_POST
def hide(request: HttpRequest, slug: str, final_id: int) -> HttpResponse:
    """Hide the photo from the company's members (hidden=1) or show it again (hidden=0)."""
    membership = _admin_membership(request, slug)
    final = library.library_final(membership, final_id)
    hidden = request.POST.get("hidden", "1") == "1"
    library.set_hidden(membership, final, hidden)
    name = client_filename(final)
    if hidden:
        messages.success(request, _("%(name)s is hidden from the members.") % {"name": name})
    else:
        messages.success(request, _("%(name)s is visible to the members again.") % {"name": name})
    return _back(request, slug, final_id)


@login_required
@require_POST
def tags(request: HttpRequest, slug: str, final_id: int) -> HttpResponse:
    """Give the photo the tags typed, a comma list (an empty one takes them all off)."""
    membership = _admin_membership(request, slug)
    final = library.library_final(membership, final_id)
    library.set_tags(membership.company_id, final, library.parse_tags(request.POST.get("tags", "")))
    messages.success(request, _("Tags of %(name)s saved.") % {"name": client_filename(final)})
    return _back(request, slug, final_id)
