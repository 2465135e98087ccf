from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from booker.models import (
    PhotoSession,
    Rush,
    SelectionItem,
)
from booker.proofing.extras import Extras, extras


@dataclass(frozen=True)
class ProofCard:
    """One photo in the client's gallery: everything the grid needs, no further query."""

    id: int
    filename: str
    width: int | None
    height: int | None
    picked: bool
    comment: str


def gallery(session: PhotoSession) -> list[ProofCard]:
    """The ready proofs of a session with the client's word on each, in one query."""
    items = SelectionItem.objects.filter(selection__session=session, rush=OuterRef("pk"))
    rows = (
        Rush.objects.filter(session=session, ingest_status=Rush.Ingest.READY)
        .annotate(
            picked=Exists(items.filter(picked=True)),
            comment=Subquery(items.values("comment")[:1]),
        )
        .order_by("captured_at", "original_filename", "pk")
        .values_list("pk", "original_filename", "width", "height", "picked", "comment")
    )
    return [
        ProofCard(pk, name, w, h, picked, comment or "") for pk, name, w, h, picked, comment in rows
    ]


def extras_for(session: PhotoSession, picked: int) -> Extras | None:
    """The extra photos of a selection of `picked` (the extras rule), or None when there are
    none to pay for."""
    rule = extras(session, picked)
    return rule if rule.count else None


def extra_picks(session: PhotoSession) -> list[int]:
    """The rush ids of the picks beyond the package (the extras rule: the last ones in gallery
    order)."""
    return list(extras(session, [card.id for card in gallery(session) if card.picked]).rush_ids)


def selection_extras(session: PhotoSession) -> Extras:
    """The extras rule applied to the session's current picks."""
    return extras(session, pick_count(session))


def extras_unit_price(session_id: int) -> Decimal | None:
    """The price of one extra photo of a session, by the extras rule (the shop's extras line is
    priced with it); None when the package sells none or the session is gone."""
    session = (
        PhotoSession.objects.only("quota", "extra_photo_price").filter(pk=session_id).first()
    )
    return None if session is None else extras(session, 0).unit_price


def pick_count(session: PhotoSession) -> int:
    return SelectionItem.objects.filter(selection__session=session, picked=True).count()


def picks(session: PhotoSession) -> QuerySet[SelectionItem]:
    return (
        SelectionItem.objects.filter(selection__session=session)
        .filter(Q(picked=True) | ~Q(comment=""))
        .select_related("rush")
        .order_by("rush__original_filename")
    )
