"""Where the client's approval of a session's finals stands, when its package asks the client
to approve them before delivery (PhotoSession.client_approves_finals): read from each retouch
job's versions (the client's answers are written by booker.retouch.services). Here, below the
retouch domain, because the session's actions (booker.sessions.selectors) and the delivery
(booker.delivery.services) ask it."""

from __future__ import annotations

from dataclasses import dataclass

from booker.models import PhotoSession, RetouchJob


@dataclass(frozen=True)
class FinalsApproval:
    """Where the client's approval of a session's finals stands, counted over its jobs (each
    job's final at its current version)."""

    asks_client: bool
    total: int = 0
    # Approved by the studio, never shown to the client at this version: the studio sends them.
    to_send: int = 0
    # Sent to the client, no answer yet.
    awaiting: int = 0
    approved: int = 0
    # Returned by the client, back with the retoucher or in the studio's review.
    reworked: int = 0
    # Not approved by the studio yet (first versions included).
    in_studio: int = 0

    @property
    def all_approved(self) -> bool:
        return self.total > 0 and self.approved == self.total

    @property
    def may_send(self) -> bool:
        """Every retouch approved by the studio, and some the client has not seen yet."""
        return self.asks_client and self.in_studio == 0 and self.to_send > 0

    @property
    def may_deliver(self) -> bool:
        return not self.asks_client or self.all_approved


def client_stage(job: RetouchJob) -> str:
    """One job as the client's approval sees it: "approved", "awaiting", "to_send",
    "reworked" (the client asked a change, not back yet) or "in_studio"."""
    final = getattr(job, "final", None)
    if job.status != RetouchJob.Status.DONE or final is None:
        return "reworked" if job.review_by_client else "in_studio"
    if job.client_approved_version == final.version:
        return "approved"
    if job.client_asked_version == final.version:
        return "awaiting"
    return "to_send"


def finals_approval(session: PhotoSession) -> FinalsApproval:
    if not session.client_approves_finals:
        return FinalsApproval(asks_client=False)
    counts = {"approved": 0, "awaiting": 0, "to_send": 0, "reworked": 0, "in_studio": 0}
    jobs = RetouchJob.objects.filter(session=session).select_related("final")
    for job in jobs:
        counts[client_stage(job)] += 1
    return FinalsApproval(asks_client=True, total=sum(counts.values()), **counts)


def finals_to_approve(session: PhotoSession) -> list[tuple[RetouchJob, str]]:
    """The session's jobs the client has seen, with their stage: those sent (awaiting or
    approved) and those they returned; in file order."""
    jobs = (RetouchJob.objects.filter(session=session)
            .select_related("final", "rush").order_by("rush__original_filename"))
    staged = [(job, client_stage(job)) for job in jobs]
    return [(job, stage) for job, stage in staged if stage in ("awaiting", "approved",
                                                              "reworked")]
