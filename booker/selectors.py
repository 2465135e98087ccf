"""Reads of the studio's data, always scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from .models import (
    Membership,
    PhotoSession,
    RetouchJob,
    Rush,
    SelectionItem,
    User,
)

Status = PhotoSession.Status


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("company").order_by("company__name")


def sessions_visible_to(user: User) -> QuerySet[PhotoSession]:
    """A client's own sessions and those of the companies they belong to."""
    if not user.is_authenticated:
        return PhotoSession.objects.none()
    return (
        PhotoSession.objects.filter(
            Q(client=user) | Q(company__memberships__user=user)
        )
        .exclude(status=Status.CANCELLED)
        .select_related("company", "client")
        .distinct()
    )


def session_for(user: User, pk: int) -> PhotoSession:
    """The session if `user` may see it; 404 otherwise — never say it exists."""
    session = sessions_visible_to(user).filter(pk=pk).first()
    if session is None:
        raise Http404("No such session.")
    return session


# What a session's status means for the client, in their words.
CLIENT_STATUS_TEXT = {
    Status.BOOKED: "Your session is booked. We look forward to seeing you!",
    Status.SHOT: "Your photos are being prepared. You will get an email as soon as you can "
    "choose your favourites.",
    Status.PROOFING: "Your proofs are ready: pick the photos you want, add a comment if you "
    "wish, then submit your selection.",
    Status.SELECTION_SUBMITTED: "Thank you! Your selection is with the studio.",
    Status.RETOUCHING: "Your photos are being retouched.",
    Status.DELIVERED: "Your photos are ready to download.",
    Status.ARCHIVED: "This session is archived. Ask the studio if you need the files again.",
    Status.CANCELLED: "This session was cancelled.",
}


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
    return [ProofCard(pk, name, w, h, picked, comment or "") for pk, name, w, h, picked, comment
            in rows]


def pick_count(session: PhotoSession) -> int:
    return SelectionItem.objects.filter(selection__session=session, picked=True).count()


def picks(session: PhotoSession) -> QuerySet[SelectionItem]:
    return (
        SelectionItem.objects.filter(selection__session=session)
        .filter(Q(picked=True) | ~Q(comment=""))
        .select_related("rush")
        .order_by("rush__original_filename")
    )


def ingest_counts(session: PhotoSession) -> dict[str, int]:
    counts = {s: 0 for s in Rush.Ingest.values}
    for row in session.rushes.values("ingest_status").annotate(n=Count("pk")):
        counts[row["ingest_status"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def jobs_of(retoucher: User) -> QuerySet[RetouchJob]:
    return (
        RetouchJob.objects.filter(assignee=retoucher)
        .exclude(status=RetouchJob.Status.DONE)
        .select_related("rush", "session", "final")
        .order_by("due_date", "session_id", "rush__original_filename")
    )


def delivered_finals(session: PhotoSession) -> QuerySet:
    from .models import FinalPhoto

    return (
        FinalPhoto.objects.filter(job__session=session, job__status=RetouchJob.Status.DONE)
        .select_related("job__rush")
        .order_by("original_filename")
    )
