"""The client portal: a client's sessions, the proofing gallery, the selection, the delivery.

Thin views: who may see what comes from booker.selectors, every change goes through
booker.services, and a refused change (StudioError) becomes a message — or, for the gallery's
fetch() calls, a JSON 400 {"error": message} that the page shows as it is."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from booker import selectors, services
from booker.models import FinalPhoto, PhotoSession
from booker.proofing.selectors import SHOWS, gallery_counts, gallery_cover, gallery_page
from booker.selectors import ProofCard
from booker.views import delivered
from booker.views.files import client_filename


@dataclass(frozen=True)
class Tile:
    """A proof card with the size of its thumbnail, so the <img> reserves its box before the
    file arrives (no layout shift). Rush width/height are the proof's; the thumbnail is the
    same picture scaled to THUMB_EDGE."""

    card: ProofCard
    thumb_width: int
    thumb_height: int
    # The section title shown before this card when a set of the photographer's starts here.
    heading: str = ""
    proof_url: str = ""
    thumb_url: str = ""
    # A headshot day's leads: the person whose photos start here, and their status.
    person: selectors.SitterStatus | None = None
    person_status: str = ""


def _thumb_size(width: int | None, height: int | None) -> tuple[int, int]:
    """The thumbnail's box from the proof's size (same picture, long edge THUMB_EDGE)."""
    w, h = width or services.THUMB_EDGE, height or services.THUMB_EDGE
    scale = min(1.0, services.THUMB_EDGE / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _tiles(cards: list[ProofCard], set_before: str | None = None, *,
           people: list[selectors.SitterStatus] | None = None,
           card_before: ProofCard | None = None) -> list[Tile]:
    """The cards as tiles, each set's first one carrying its section title; `set_before` is
    the set of the card before these (None: these open the gallery, or its page). With
    `people` (a headshot day's leads, the cards person by person), each person's first card
    also carries the person, and their sets are titled within their photos; `card_before`
    says whose photos the page continues."""
    by_key = {p.sitter_id: p for p in people or []}
    sitter_before = card_before.sitter_id if card_before is not None else _NOBODY
    # One reverse() per page rather than two per card: the card's id goes in the placeholder's
    # place (reversing was a third of a 60-card page's rendering time).
    proof = reverse("portal:rush-proof", args=[_URL_ID])
    thumb = reverse("portal:rush-thumb", args=[_URL_ID])
    tiles, previous = [], set_before
    for card in cards:
        person = None
        if people is not None and card.sitter_id != sitter_before:
            person, previous = by_key.get(card.sitter_id), None
            sitter_before = card.sitter_id
        heading = ""
        if card.set_name != previous and (card.set_name or previous is not None):
            heading = card.set_name or _("Other photos")
        previous = card.set_name
        tiles.append(Tile(card, *_thumb_size(card.width, card.height), heading,
                          proof.replace(str(_URL_ID), str(card.id)),
                          thumb.replace(str(_URL_ID), str(card.id)),
                          person, _group_status(person) if person else ""))
    return tiles


_URL_ID = 987654321987
_NOBODY = object()  # before the first card: no one's photos yet


def _money(amount: Decimal) -> str:
    return f"{number_format(amount, 2)}\u00a0€"


def _counter_texts(rule: selectors.Extras, texts: dict[str, str]) -> tuple[str, str]:
    """The live counter's two texts for the extras rule's answer: the page shows them, and
    each pick answers with them again (portal.js displays them, it computes nothing)."""
    if rule.count:
        return (
            texts["counter"].format(count=rule.included, quota=rule.quota),
            texts["extras"].format(
                extra=rule.count,
                price=_money(rule.unit_price),
                total=_money(rule.total),
            ),
        )
    return texts["counter"].format(count=rule.picked, quota=rule.quota), ""


def _selection_summary(rule: selectors.Extras, texts: dict[str, str] | None = None
                       ) -> dict[str, object]:
    """The rule's answer as portal.js receives it: the numbers and the texts to show."""
    counter_text, extras_text = _counter_texts(rule, texts or _gallery_texts())
    return {**rule.as_json(), "counter_text": counter_text, "extras_text": extras_text}


def _seat_rule(session: PhotoSession, place: selectors.Seat,
               cards: list[ProofCard] | None = None) -> selectors.Extras:
    """The picks a person's counter weighs: a member's own on a headshot day, else the whole
    selection's (per person on a headshot day: the extras rule says how). From the gallery's
    `cards` when the page has them (no further query), else from the database."""
    if cards is not None:
        if place.per_sitter and not place.own_only:
            return selectors.extras_per_sitter(
                session, [(c.sitter_id, c.id) for c in cards if c.picked])
        return selectors.extras(session, [c.id for c in cards if c.picked])
    if place.own_only:
        return selectors.sitter_rule(session, place.user_id)
    return selectors.selection_rule(session)


def _seat_texts(place: selectors.Seat) -> dict[str, str]:
    """The gallery's texts; a headshot day's leads read the team's count, the quota being
    each person's."""
    texts = _gallery_texts()
    if place.per_sitter and place.leads:
        texts["counter"] = _("{count} picked for the team, {quota} included per person")
    return texts


def _group_status(group: selectors.SitterGroup | selectors.SitterStatus) -> str:
    """A person's status on a headshot day, as the leads read it: "3 / 5 picked"."""
    return _("{count} / {quota} picked").format(count=group.rule.picked, quota=group.rule.quota)


@dataclass(frozen=True)
class FinalTile:
    """A delivered final as the client sees it: their file name, a thumbnail of the proof."""

    final: FinalPhoto
    name: str
    thumb_width: int
    thumb_height: int


def _wants_json(request: HttpRequest) -> bool:
    """The gallery's fetch() asks for JSON; a plain form post (no JavaScript) does not."""
    return "application/json" in request.headers.get("Accept", "")


def _gallery_texts() -> dict[str, str]:
    """The strings portal.js shows, translated here (the script has no catalogue of its own).
    Placeholders in braces are filled in by the script."""
    return {
        "counter": _("{count} of {quota} included"),
        "extras": _("+ {extra} extra photo(s) × {price} = {total}"),
        "pick": _("Pick"),
        "picked": _("Picked"),
        "saved": _("Comment saved."),
        "error": _("Something went wrong. Check your connection and try again."),
        "position": _("{index} of {total}"),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    visible = list(selectors.sessions_visible_to(request.user))
    covers = selectors.home_covers(request.user, visible)
    sessions = [
        (session, selectors.client_view(session).status_text, covers.get(session.pk))
        for session in visible
    ]
    return render(
        request,
        "booker/portal/home.html",
        {
            "sessions": sessions,
            "memberships": selectors.memberships_of(request.user),
            "bookings": selectors.bookings_of(request.user),
            "headshot_days": selectors.headshot_days_of(request.user),
        },
    )


@dataclass(frozen=True)
class PersonLine:
    """A person in the leads' list above a headshot day's gallery: their status, and the
    gallery's page where their photos start under the current filter."""

    person: selectors.SitterStatus
    status: str
    page: int


@dataclass(frozen=True)
class GroupTiles:
    """One person's photos on a headshot day, for the company's leads."""

    group: selectors.SitterGroup
    tiles: list[Tile]
    status: str


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(request.user, pk)
    services.note_gallery_visit(session, request.user)
    view = selectors.client_view(session)
    place = selectors.seat(session, request.user)
    context: dict = {"session": session, "view": view, "status_text": view.status_text,
                     "seat": place, "selection": selectors.selection_of(session)}
    if view.can_pick:
        show = _show(request)
        counts = gallery_counts(session, sitter=place.sitter)
        texts = _seat_texts(place)
        counter_text, extras_text = _counter_texts(_seat_rule(session, place), texts)
        context.update(
            show=show,
            picked_count=counts.picked,
            commented_count=counts.commented,
            total_count=counts.all,
            shown_count=counts.of(show),
            counter_text=counter_text,
            extras_text=extras_text,
            texts=texts,
        )
        by_sitter = place.per_sitter and place.leads
        page = gallery_page(session, _page_number(request), sitter=place.sitter, show=show,
                            by_sitter=by_sitter)
        if by_sitter:
            # A headshot day's leads (40 people, 30 photos each): the gallery person by
            # person, a page at a time like any gallery, and every person's status above it,
            # each leading to the page where their photos start (one query for them all).
            people = selectors.sitter_statuses(session)
            context.update(
                tiles=_tiles(page.cards, page.set_before, people=people,
                             card_before=page.card_before),
                people=[PersonLine(p, _group_status(p), p.first_page(show))
                        for p in people if p.count(show)],
            )
        else:
            context["tiles"] = _tiles(page.cards)
        context["page"] = page
        if place.sitter is selectors.EVERYONE:
            context["cover"] = gallery_cover(session)
    elif view.shows_picks:
        if selectors.approves_finals(request.user, session):
            # The package asks the client to approve the finals: those sent, side by side
            # with what they said of each (booker.retouch.selectors.finals_to_approve).
            items = [
                (FinalTile(job.final, client_filename(job.final),
                           *_thumb_size(job.rush.width, job.rush.height))
                 if stage != "reworked" else None, job, stage)
                for job, stage in selectors.finals_to_approve(session)
            ]
            context.update(approval_items=items,
                           awaiting_count=sum(1 for *_, stage in items if stage == "awaiting"))
        context["tiles"] = _tiles(
            [c for c in selectors.gallery(session, sitter=place.sitter) if c.picked])
        context["texts"] = _gallery_texts()
    elif view.finals_visible:
        finals = [
            FinalTile(f, client_filename(f), *_thumb_size(f.job.rush.width, f.job.rush.height))
            for f in selectors.finals_for(request.user, session,
                                          selectors.delivered_finals(session))
        ]
        delivery = getattr(session, "delivery", None)
        context.update(
            finals=finals,
            total_size=sum(f.final.size for f in finals),
            delivery=delivery,
            downloads_open=selectors.downloads_open(delivery),
            **delivered.page_context(request, session),
        )
    return render(request, "booker/portal/session.html", context)


def _show(request: HttpRequest) -> str:
    show = request.GET.get("show", "all")
    return show if show in SHOWS else "all"


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@login_required
def photos(request: HttpRequest, pk: int) -> HttpResponse:
    """One more page of the gallery's cards (?page=N&show=…), as the HTML fragment the
    gallery's script appends while the client scrolls: the cards and the pager that follows.
    The same cards as the session page's `?page=N`, which works without JavaScript."""
    session = selectors.session_for(request.user, pk)
    if not selectors.client_view(session).can_pick:
        # The selection was sent meanwhile: no more cards to pick from (the page, reloaded,
        # shows the picks).
        return HttpResponse("")
    place = selectors.seat(session, request.user)
    show = _show(request)
    by_sitter = place.per_sitter and place.leads
    page = gallery_page(session, _page_number(request), sitter=place.sitter, show=show,
                        by_sitter=by_sitter)
    people = selectors.sitter_statuses(session) if by_sitter else None
    return render(request, "booker/portal/_page.html", {
        "session": session, "page": page, "show": show, "readonly": False,
        "tiles": _tiles(page.cards, page.set_before, people=people,
                        card_before=page.card_before),
    })


def _back_to_photo(session: PhotoSession, rush_id: int | None) -> HttpResponse:
    url = reverse("portal:session", args=[session.pk])
    return redirect(f"{url}#photo-{rush_id}" if rush_id else url)


def _rush_id(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("rush", ""))
    except ValueError:
        return None


def _refused(request: HttpRequest, session: PhotoSession, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    messages.error(request, message)
    # No anchor: the message is at the top of the page, where the client must see it.
    return _back_to_photo(session, None)


@login_required
@require_POST
def pick(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick (picked=1) or unpick (picked=0) one photo. The wanted state is sent, not a toggle,
    so a double tap or a retried request never flips it back."""
    session = selectors.session_for(request.user, pk)
    rush_id = _rush_id(request)
    if rush_id is None:
        return _refused(request, session, _("Which photo? The request was incomplete."))
    wanted = request.POST.get("picked", "1").lower() in ("1", "true", "on", "yes")
    try:
        item = services.set_pick(session, rush_id, wanted, user=request.user)
    except services.StudioError as exc:
        return _refused(request, session, str(exc))
    if _wants_json(request):
        place = selectors.seat(session, request.user)
        rule = _seat_rule(session, place)
        answer = {"picked": item.picked, "count": rule.picked, "rush": rush_id}
        if request.POST.get("summary"):
            # The gallery's script asks for the counter as the extras rule computes it.
            answer["selection"] = _selection_summary(rule, _seat_texts(place))
            if place.per_sitter and place.leads:
                answer["selection"]["groups"] = {
                    p.key: _group_status(p) for p in selectors.sitter_statuses(session)}
        return JsonResponse(answer)
    return _back_to_photo(session, rush_id)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(request.user, pk)
    rush_id = _rush_id(request)
    if rush_id is None:
        return _refused(request, session, _("Which photo? The request was incomplete."))
    try:
        item = services.set_comment(
            session, rush_id, request.POST.get("comment", ""), user=request.user
        )
    except services.StudioError as exc:
        return _refused(request, session, str(exc))
    if _wants_json(request):
        # The filter's count is the server's, over every photo (not only the loaded cards).
        commented = gallery_counts(
            session, sitter=selectors.seat(session, request.user).sitter).commented
        return JsonResponse({"comment": item.comment, "rush": rush_id, "commented": commented})
    messages.success(request, _("Comment saved."))
    return _back_to_photo(session, rush_id)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation step: submitting locks the selection, so the client sees what they send
    before they send it."""
    session = selectors.session_for(request.user, pk)
    view = selectors.client_view(session)
    if not view.can_pick:
        messages.info(request, view.status_text)
        return redirect("portal:session", pk=session.pk)
    place = selectors.seat(session, request.user)
    if not place.leads and request.method == "GET":
        # A company's member: the page would offer what the service refuses.
        messages.info(request, _member_status(session))
        return redirect("portal:session", pk=session.pk)
    if request.method == "POST":
        try:
            services.submit_selection(session, user=request.user)
        except services.StudioError as exc:
            messages.error(request, str(exc))
            # A member's refusal is read on the gallery, where their status is shown.
            return redirect("portal:submit" if place.leads else "portal:session", pk=session.pk)
        view = selectors.client_view(session)
        if view.pays_extras:
            # Without the shop's page (see submit.html) the studio asks for the payment.
            messages.info(request, view.status_text)
        else:
            messages.success(request, _("Your selection is sent to the studio. Thank you!"))
        return redirect("portal:session", pk=session.pk)
    cards = selectors.gallery(session)
    picked = [c for c in cards if c.picked]
    context = {
        "session": session,
        "tiles": _tiles(picked),
        "picked_count": len(picked),
        "extras": selectors.selection_rule(session),
        "seat": place,
    }
    if place.per_sitter:
        context["groups"] = [
            GroupTiles(group, _tiles([c for c in group.cards if c.picked]), _group_status(group))
            for group in selectors.sitter_groups(session, cards)
        ]
    return render(request, "booker/portal/submit.html", context)


@login_required
@require_POST
def finals_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's answer on the finals sent for approval: one approved ("approve"), one
    returned with a comment ("change"), or every waiting one approved ("approve-all")."""
    session = selectors.session_for(request.user, pk)
    if not selectors.approves_finals(request.user, session):
        # A plain member of the company, or a session not waiting for an approval.
        raise Http404("No approval here.")
    decision = request.POST.get("decision", "")
    try:
        if decision == "approve-all":
            count = services.client_approve_all(session, user=request.user)
            done = ngettext("%(n)d photo approved.", "%(n)d photos approved.", count) % {
                "n": count}
        else:
            final_id = request.POST.get("final", "")
            if decision not in ("approve", "change") or not final_id.isdigit():
                raise services.StudioError(_("Which photo? The request was incomplete."))
            services.client_review_final(session, int(final_id), user=request.user,
                                         approve=decision == "approve",
                                         comment=request.POST.get("comment", ""))
            done = (_("Photo approved.") if decision == "approve" else
                    _("Your comment is sent: the photo comes back to you once changed."))
    except services.StudioError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
        if selectors.finals_approval(session).all_approved:
            messages.info(request, _("Thank you! Every photo is approved: the studio delivers "
                                     "them to you shortly."))
    return redirect(reverse("portal:session", args=[session.pk]) + "#approval")


def _member_status(session: PhotoSession) -> str:
    """What a company's member reads where a lead has the submit button."""
    return _("Your picks are saved; an approver of %(company)s sends them to the studio.") % {
        "company": session.company}
