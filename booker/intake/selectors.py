from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from booker.models import (
    PhotoSession,
    Rush,
)


def ingest_counts(session: PhotoSession) -> dict[str, int]:
    counts = {s: 0 for s in Rush.Ingest.values}
    for row in session.rushes.values("ingest_status").annotate(n=Count("pk")):
        counts[row["ingest_status"]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def with_ingest_counts(sessions: QuerySet[PhotoSession]) -> QuerySet[PhotoSession]:
    """Annotate each session with its rushes ready / failed / still in flight (one query)."""
    ingest = Rush.Ingest
    return sessions.annotate(
        rushes_ready=Count("rushes", filter=Q(rushes__ingest_status=ingest.READY)),
        rushes_failed=Count("rushes", filter=Q(rushes__ingest_status=ingest.FAILED)),
        rushes_in_flight=Count(
            "rushes", filter=Q(rushes__ingest_status__in=[ingest.PENDING, ingest.PROCESSING])
        ),
    )


def originals_by_tier(session: PhotoSession) -> dict[str, int]:
    """How many of the session's originals are online, and how many in the archive tier."""
    counts = {tier: 0 for tier in Rush.Tier.values}
    for row in session.rushes.values("original_tier").annotate(n=Count("pk")):
        counts[row["original_tier"]] = row["n"]
    return counts


def studio_rushes(session: PhotoSession) -> QuerySet[Rush]:
    """The rushes of a session as the photographer sorts them: by file name."""
    return session.rushes.order_by("original_filename", "pk")
