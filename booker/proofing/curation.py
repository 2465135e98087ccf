"""The photographer's curation of the proofs: what the client sees, in which order, in which
sections (sets, e.g. "Cérémonie", "Soirée"), and the cover photo of the gallery.

The order is kept as `Rush.position` (1, 2, 3…) over the session's ready rushes, each set's
photos next to each other: the client's gallery reads it as one ordered list (booker.proofing
.selectors.GALLERY_ORDER) and titles a section where a set starts. Until the photographer
arranges anything, positions are empty and the gallery follows capture order.

Every change is recorded in the session's history (booker.events, "Historique" on the studio
page): who hid, showed, moved, put in a set, chose the cover, and which photos."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booker.errors import StudioError
from booker.events import Event, record
from booker.models import PhotoSession, Rush, SelectionItem, User
from booker.proofing.selectors import GALLERY_ORDER

Status = PhotoSession.Status

# From the shoot until the finals go out: after the delivery the proofs are the past.
CURATION_STATUSES = frozenset({
    Status.SHOT, Status.PROOFING, Status.AWAITING_PAYMENT, Status.SELECTION_SUBMITTED,
    Status.RETOUCHING,
})

SET_NAME_MAX = Rush._meta.get_field("set_name").max_length

# The file names an event keeps of the photos it concerns (its count says how many in all): the
# history names a few, a change of 500 photos does not store 500 names.
CURATION_NAMES = 5


def may_curate(session: PhotoSession) -> bool:
    """Whether the photographer may still arrange the session's proofs."""
    return session.status in CURATION_STATUSES


def _locked(session: PhotoSession) -> PhotoSession:
    """The session row, locked: two curation requests are applied one after the other."""
    locked = PhotoSession.objects.select_for_update().get(pk=session.pk)
    if not may_curate(locked):
        raise StudioError(
            _("The proofs can no longer be arranged: the session is “%(status)s”.")
            % {"status": locked.get_status_display()})
    return locked


def curated_proofs(session: PhotoSession) -> list[Rush]:
    """Every ready proof of the session, hidden ones included, in the client's gallery order."""
    return list(session.rushes.filter(ingest_status=Rush.Ingest.READY).order_by(*GALLERY_ORDER))


def _proofs(session: PhotoSession, rush_ids: Iterable[int]) -> list[Rush]:
    wanted = {int(pk) for pk in rush_ids}
    if not wanted:
        raise StudioError(_("Select at least one photo."))
    rushes = [r for r in curated_proofs(session) if r.pk in wanted]
    if len(rushes) != len(wanted):
        raise StudioError(_("This photo is not part of the session."))
    return rushes


def _sections(rushes: list[Rush]) -> list[tuple[str, list[Rush]]]:
    """The rushes by set, each set where its first photo is (photos without a set form a
    section of their own, where the first of them is)."""
    sections: dict[str, list[Rush]] = {}
    for rush in rushes:
        sections.setdefault(rush.set_name, []).append(rush)
    return list(sections.items())


def _photos(rushes: list[Rush]) -> dict[str, Any]:
    """An event's payload about the photos it concerns."""
    return {"rushes": [r.pk for r in rushes], "count": len(rushes),
            "names": [r.original_filename for r in rushes[:CURATION_NAMES]]}


def _renumber(sections: list[tuple[str, list[Rush]]]) -> None:
    """Positions 1…n in this order, each set's photos together; only the changed rows written."""
    changed = []
    for position, rush in enumerate((r for _name, rs in sections for r in rs), start=1):
        if rush.position != position:
            rush.position = position
            changed.append(rush)
    Rush.objects.bulk_update(changed, ["position"], batch_size=500)


@transaction.atomic
def set_hidden(session: PhotoSession, rush_ids: Iterable[int], hidden: bool, *,
               actor: User | None = None) -> int:
    """Hide proofs from the client (or show them again). A photo the client picked is not
    hidden: the selection would hold a photo the client can no longer see. Only the photos
    whose state changed are recorded (nothing changed, nothing recorded)."""
    session = _locked(session)
    rushes = _proofs(session, rush_ids)
    if hidden:
        picked = SelectionItem.objects.filter(
            selection__session=session, picked=True, rush__in=rushes).count()
        if picked:
            raise StudioError(ngettext(
                "%(count)d of these photos is picked by the client: it cannot be hidden. "
                "Unselect it, or ask the client to unpick it.",
                "%(count)d of these photos are picked by the client: they cannot be hidden. "
                "Unselect them, or ask the client to unpick them.",
                picked) % {"count": picked})
    changing = [r for r in rushes if r.hidden_from_client != hidden]
    changed = Rush.objects.filter(pk__in=[r.pk for r in changing]).exclude(
        hidden_from_client=hidden).update(hidden_from_client=hidden)
    if hidden and session.cover_id in {r.pk for r in rushes}:
        PhotoSession.objects.filter(pk=session.pk).update(cover=None)
    if changing:
        record(session, Event.PROOFS_HIDDEN if hidden else Event.PROOFS_SHOWN, actor=actor,
               **_photos(changing))
    return changed


@transaction.atomic
def assign_set(session: PhotoSession, rush_ids: Iterable[int], name: str, *,
               actor: User | None = None) -> int:
    """Put proofs in the set `name` (blank: out of any set). A new set starts where the first
    of them is; the set's photos keep their order."""
    session = _locked(session)
    name = " ".join(name.split())[:SET_NAME_MAX]
    rushes = _proofs(session, rush_ids)
    Rush.objects.filter(pk__in=[r.pk for r in rushes]).update(set_name=name)
    _renumber(_sections(curated_proofs(session)))
    record(session, Event.PROOFS_SET, actor=actor, set=name, **_photos(rushes))
    return len(rushes)


@transaction.atomic
def move(session: PhotoSession, rush_id: int, delta: int, *, actor: User | None = None
         ) -> None:
    """Move a proof one place earlier (delta -1) or later (+1) in its set; the first (or last)
    of a set moves the whole set before the previous one (or after the next)."""
    session = _locked(session)
    (rush,) = _proofs(session, [rush_id])
    sections = _sections(curated_proofs(session))
    index = next(i for i, (name, _rs) in enumerate(sections) if name == rush.set_name)
    photos = sections[index][1]
    at = next(i for i, r in enumerate(photos) if r.pk == rush.pk)
    if 0 <= at + delta < len(photos):
        photos[at], photos[at + delta] = photos[at + delta], photos[at]
        set_moved = False
    elif 0 <= index + delta < len(sections):
        sections[index], sections[index + delta] = sections[index + delta], sections[index]
        set_moved = True
    else:
        return  # already first (or last) of the gallery: nothing moved, nothing to record
    _renumber(sections)
    record(session, Event.PROOF_MOVED, actor=actor, rush=rush.pk,
           name=rush.original_filename, delta=delta, set_moved=set_moved)


@transaction.atomic
def place(session: PhotoSession, rush_id: int, index: int, *, actor: User | None = None
          ) -> None:
    """Put a proof at `index` (0: first) among the photos of its set, the others keeping their
    order: a drag and drop on the curation page (the arrows, `move`, go one place at a
    time). An index past the set's end puts it last; the sets themselves stay where they are."""
    session = _locked(session)
    (rush,) = _proofs(session, [rush_id])
    sections = _sections(curated_proofs(session))
    photos = next(rs for name, rs in sections if name == rush.set_name)
    at = next(i for i, r in enumerate(photos) if r.pk == rush.pk)
    index = max(0, min(index, len(photos) - 1))
    if index == at:
        return
    photos.insert(index, photos.pop(at))
    _renumber(sections)
    record(session, Event.PROOF_MOVED, actor=actor, rush=rush.pk,
           name=rush.original_filename, delta=index - at, set_moved=False,
           position=index + 1)


@transaction.atomic
def choose_cover(session: PhotoSession, rush_id: int | None, *, actor: User | None = None
                 ) -> None:
    """The gallery's cover photo (None: no cover). Never a photo hidden from the client."""
    session = _locked(session)
    name = ""
    if rush_id is not None:
        (rush,) = _proofs(session, [rush_id])
        if rush.hidden_from_client:
            raise StudioError(_("A photo hidden from the client cannot be the cover."))
        name = rush.original_filename
    if session.cover_id == rush_id:
        return
    PhotoSession.objects.filter(pk=session.pk).update(cover_id=rush_id)
    record(session, Event.COVER_CHOSEN, actor=actor, rush=rush_id, name=name)


def set_names(session: PhotoSession) -> list[str]:
    """The session's sets, in gallery order (for the curation page's choices)."""
    return [name for name, _rs in _sections(curated_proofs(session)) if name]
