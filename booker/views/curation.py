"""The photographer's curation page of a session's proofs (admin/…/<id>/epreuves/): hide or
show proofs, put them in sets ("Cérémonie", "Soirée"), move them, choose the cover. A form of
checkboxes and buttons that works without JavaScript; every change is one call of
booker.proofing.curation, a refusal becomes a message."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from booker.errors import StudioError
from booker.proofing import curation
from booker.views.studio import rush_thumb_url, studio_session, wants_json


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def curation_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: int,
) -> HttpResponse:
    session = studio_session(model_admin, request, object_id)
    url = reverse("admin:booker_photosession_curation", args=[session.pk])
    if request.method == "POST":
        try:
            done = _apply(session, request)
        except StudioError as exc:
            if wants_json(request):
                return JsonResponse({"error": str(exc)}, status=400)
            messages.error(request, str(exc))
        else:
            if wants_json(request):
                # A proof dropped in place by backoffice.js: the page is already in order.
                return JsonResponse({"message": done})
            messages.success(request, done)
        anchor = request.POST.get("up") or request.POST.get("down")
        return redirect(f"{url}#proof-{anchor}" if anchor else url)
    proofs = curation.curated_proofs(session)
    context = model_admin.studio_context(
        request,
        title=gettext("Proofs of %(session)s") % {"session": session.title},
        subtitle=gettext("Proofs"),
        session=session,
        original=session,
        proofs=[(rush, rush_thumb_url(rush)) for rush in proofs],
        hidden_count=sum(1 for r in proofs if r.hidden_from_client),
        set_names=curation.set_names(session),
        may_curate=curation.may_curate(session),
        studio_url=reverse("admin:booker_photosession_studio", args=[session.pk]),
    )
    return TemplateResponse(request, "admin/booker/photosession/curation.html", context)


def _apply(session, request: HttpRequest) -> str:
    """One change of the form's buttons; the sentence that confirms it."""
    post = request.POST
    selected = _ids(post.getlist("rushes"))
    placed = _ids([post.get("place", "")])
    index = post.get("index", "")
    if placed and index.isdigit():
        curation.place(session, placed[0], int(index), actor=request.user)
        return gettext("Proof moved.")
    moved = _ids([post.get("up") or post.get("down") or ""])
    if moved:
        curation.move(session, moved[0], -1 if post.get("up") else 1, actor=request.user)
        return gettext("Proof moved.")
    cover = _ids([post.get("cover", "")])
    if cover:
        curation.choose_cover(session, cover[0], actor=request.user)
        return gettext("Cover photo chosen.")
    action = post.get("action")
    if action in ("hide", "show"):
        count = curation.set_hidden(session, selected, action == "hide",
                                      actor=request.user)
        if action == "hide":
            return ngettext("%(n)d proof hidden from the client.",
                            "%(n)d proofs hidden from the client.", count) % {"n": count}
        return ngettext("%(n)d proof shown to the client again.",
                        "%(n)d proofs shown to the client again.", count) % {"n": count}
    if action == "set":
        name = post.get("set_name", "").strip()
        count = curation.assign_set(session, selected, name, actor=request.user)
        if not name:
            return ngettext("%(n)d proof taken out of its set.",
                            "%(n)d proofs taken out of their set.", count) % {"n": count}
        return ngettext("%(n)d proof put in “%(set)s”.", "%(n)d proofs put in “%(set)s”.",
                        count) % {"n": count, "set": name}
    if action == "no-cover":
        curation.choose_cover(session, None, actor=request.user)
        return gettext("The gallery has no cover photo.")
    raise StudioError(gettext("Which change? The request was incomplete."))
