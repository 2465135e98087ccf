from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from booker.errors import StudioError
from booker.events import Event, record
from booker.models import (
    PhotoSession,
    Rush,
    Selection,
    SelectionItem,
    SessionEvent,
    User,
)
from booker.proofing.extras import extras
from booker.proofing.selectors import Seat, is_lead, seat, selection_rule
from booker.sessions.machine import transition

log = logging.getLogger(__name__)


Status = PhotoSession.Status


Ingest = Rush.Ingest


def publish_proofs(session: PhotoSession, *, actor: User | None) -> SessionEvent:
    """Show the proofs to the client. Every rush must be ready or failed (nothing in flight)."""
    counts = {s: 0 for s in Ingest.values}
    for status in session.rushes.values_list("ingest_status", flat=True):
        counts[status] += 1
    if counts[Ingest.READY] == 0:
        raise StudioError(_("There is no ready proof to publish yet."))
    if counts[Ingest.PENDING] or counts[Ingest.PROCESSING]:
        in_flight = counts[Ingest.PENDING] + counts[Ingest.PROCESSING]
        raise StudioError(
            ngettext(
                "%(count)d rush is still being processed; publish when it is done.",
                "%(count)d rushes are still being processed; publish when they are done.",
                in_flight,
            )
            % {"count": in_flight}
        )
    with transaction.atomic():
        Selection.objects.get_or_create(session=session)
        return transition(session, Status.PROOFING, actor=actor, proofs=counts[Ingest.READY],
                          failed=counts[Ingest.FAILED])


def _open_selection(session: PhotoSession) -> Selection:
    """The selection row, locked for this transaction: picks of one session are serialised
    so two tabs (or two clicks) can never pass the quota together."""
    Selection.objects.get_or_create(session=session)
    selection = Selection.objects.select_for_update().get(session=session)
    status = PhotoSession.objects.values_list("status", flat=True).get(pk=session.pk)
    if status != Status.PROOFING or selection.is_locked:
        raise StudioError(_("This selection is submitted: it can no longer be changed."))
    return selection


def _ready_rush(session: PhotoSession, rush_id: int, seat: Seat | None = None) -> Rush:
    """A ready photo of the session that `seat` may pick: on a headshot day a member's own
    only (a colleague's photo, or one the photographer hid, is refused as if it were not
    there)."""
    rushes = session.rushes.filter(ingest_status=Ingest.READY, hidden_from_client=False)
    if seat is not None and seat.own_only:
        rushes = rushes.filter(sitter_id=seat.user_id)
    try:
        return rushes.get(pk=rush_id)
    except Rush.DoesNotExist as exc:
        raise StudioError(_("This photo is not part of the session.")) from exc


@transaction.atomic
def set_pick(session: PhotoSession, rush_id: int, picked: bool, *, user: User) -> SelectionItem:
    """Pick or unpick one photo. Idempotent: the same request twice leaves the same state.
    On a headshot day (photos with sitters) a member picks among their own photos, and the
    package's quota is each person's."""
    selection = _open_selection(session)
    place = seat(session, user)
    rush = _ready_rush(session, rush_id, place)
    item, _created = SelectionItem.objects.get_or_create(selection=selection, rush=rush)
    if item.picked == picked:
        return item
    if picked:
        picks = selection.items.filter(picked=True)
        if place.per_sitter:
            picks = picks.filter(rush__sitter_id=rush.sitter_id)
        count = picks.count()
        if not extras(session, count).may_pick_another:
            if place.per_sitter and rush.sitter_id != user.pk:
                raise StudioError(
                    ngettext(
                        "The package includes %(quota)d photo per person and %(count)d are "
                        "picked for %(name)s. Unpick one to choose this one.",
                        "The package includes %(quota)d photos per person and %(count)d are "
                        "picked for %(name)s. Unpick one to choose this one.",
                        session.quota,
                    )
                    % {"quota": session.quota, "count": count, "name": _sitter_name(rush)}
                )
            raise StudioError(
                ngettext(
                    "Your package includes %(quota)d photo and you have picked %(count)d. "
                    "Unpick one to choose this one.",
                    "Your package includes %(quota)d photos and you have picked %(count)d. "
                    "Unpick one to choose this one.",
                    session.quota,
                )
                % {"quota": session.quota, "count": count}
            )
    item.picked = picked
    item.picked_by = user if picked else None
    item.save(update_fields=["picked", "picked_by", "updated_at"])
    return item


def _sitter_name(rush: Rush) -> str:
    if rush.sitter is None:
        return _("the photos without a sitter")
    return rush.sitter.get_full_name() or rush.sitter.email


@transaction.atomic
def set_comment(session: PhotoSession, rush_id: int, comment: str, *, user: User) -> SelectionItem:
    selection = _open_selection(session)
    rush = _ready_rush(session, rush_id, seat(session, user))
    item, _created = SelectionItem.objects.get_or_create(selection=selection, rush=rush)
    item.comment = comment.strip()[:2000]
    item.save(update_fields=["comment", "updated_at"])
    return item


@transaction.atomic
def submit_selection(session: PhotoSession, *, user: User) -> SessionEvent:
    """Lock the client's picks. Picks beyond the package, when it sells extras, are paid
    through the shop: the selection then waits for `extras_paid` before the studio sees it.

    A company's selection is submitted by one of its admins or approvers (LEAD_ROLES), for
    the whole team: a member's picks are saved, their submission refused."""
    if session.company_id is not None and not is_lead(session, user):
        raise StudioError(
            _("Only an approver or an admin of %(company)s can send the selection to the "
              "studio. Your picks are saved.") % {"company": session.company}
        )
    selection = _open_selection(session)
    picked = selection.items.filter(picked=True).count()
    if picked == 0:
        raise StudioError(_("Pick at least one photo before you submit your selection."))
    rule = selection_rule(session)
    if rule.beyond and not rule.sells:
        # set_pick already refuses this; a package changed since the picks still must not
        # slip extras through for free.
        extra = rule.beyond
        raise StudioError(
            ngettext(
                "You picked %(picked)d photos and your package includes %(quota)d: "
                "unpick %(extra)d or contact the studio to add it.",
                "You picked %(picked)d photos and your package includes %(quota)d: "
                "unpick %(extra)d or contact the studio to add them.",
                extra,
            )
            % {"picked": picked, "quota": session.quota, "extra": extra}
        )
    selection.submitted_at = timezone.now()
    selection.submitted_by = user
    selection.save(update_fields=["submitted_at", "submitted_by"])
    if rule.count:
        return transition(
            session, Status.AWAITING_PAYMENT, actor=user, picked=picked,
            extras=list(rule.rush_ids), unit_price=str(rule.unit_price),
        )
    return transition(session, Status.SELECTION_SUBMITTED, actor=user, picked=picked)


@transaction.atomic
def extras_paid(
    session: PhotoSession, rush_ids: Iterable[int], *, actor: User | None, reference: str
) -> SessionEvent | None:
    """The shop was paid for the extra photos `rush_ids` (order `reference`): the selection
    goes to the studio. Idempotent per reference. A payment that no longer matches the
    selection (reopened, changed) moves nothing: it is recorded for the studio to settle."""
    locked = PhotoSession.objects.select_for_update().get(pk=session.pk)
    paid = sorted({int(pk) for pk in rush_ids})
    done = SessionEvent.objects.filter(session=locked, name__in=EXTRAS_PAID_EVENTS)
    if any(e.payload.get("reference") == reference for e in done):
        return None
    picked = set(
        SelectionItem.objects.filter(selection__session=locked, picked=True)
        .values_list("rush_id", flat=True)
    )
    owed = selection_rule(locked).beyond
    if locked.status != Status.AWAITING_PAYMENT or not set(paid) <= picked or len(paid) < owed:
        record(locked, Event.EXTRAS_PAID_UNMATCHED, actor=actor, reference=reference,
               rushes=paid, status=locked.status)
        log.warning("Extras paid by %s do not match session %s", reference, locked.pk)
        return None
    event = transition(
        locked, Status.SELECTION_SUBMITTED, actor=actor, event=Event.EXTRAS_PAID,
        reference=reference, rushes=paid, picked=len(picked),
    )
    session.refresh_from_db(fields=["status", "status_changed_at"])
    return event


EXTRAS_PAID_EVENTS = (Event.EXTRAS_PAID, Event.EXTRAS_PAID_UNMATCHED)


@transaction.atomic
def reopen_selection(session: PhotoSession, *, actor: User | None) -> SessionEvent:
    Selection.objects.filter(session=session).update(submitted_at=None, submitted_by=None)
    return transition(session, Status.PROOFING, actor=actor, event=Event.SELECTION_REOPENED)
