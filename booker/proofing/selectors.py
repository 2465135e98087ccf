from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from booker.models import (
    PhotoSession,
    Rush,
    SelectionItem,
)

Status = PhotoSession.Status


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


@dataclass(frozen=True)
class Extras:
    """Picks beyond the package: how many, and what they cost."""

    count: int
    unit_price: Decimal
    total: Decimal


def extras_for(session: PhotoSession, picked: int) -> Extras | None:
    """The extra photos of a selection of `picked`, when the package sells extras."""
    if not session.sells_extras or picked <= session.quota:
        return None
    count = picked - session.quota
    return Extras(count, session.extra_photo_price, count * session.extra_photo_price)


def extra_picks(session: PhotoSession) -> list[int]:
    """The rush ids of the picks beyond the package: the last ones in gallery order (which
    picks are "the extras" is arbitrary; this order keeps it stable for the shop's lines)."""
    picked = [card.id for card in gallery(session) if card.picked]
    return picked[session.quota:]


def pick_count(session: PhotoSession) -> int:
    return SelectionItem.objects.filter(selection__session=session, picked=True).count()


def picks(session: PhotoSession) -> QuerySet[SelectionItem]:
    return (
        SelectionItem.objects.filter(selection__session=session)
        .filter(Q(picked=True) | ~Q(comment=""))
        .select_related("rush")
        .order_by("rush__original_filename")
    )
