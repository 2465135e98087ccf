from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from booker.models import (
    PhotoSession,
    RetouchJob,
    SelectionItem,
    User,
)
from booker.people.selectors import runs_the_studio
from booker.sessions.access import (
    FINALS_VISIBLE_TO_CLIENT,
    PROOFS_VISIBLE_TO_CLIENT,
    studio_sessions,
    works_on_session,
)
from booker.sessions.approval import finals_approval
from booker.sessions.machine import SESSION

Status = PhotoSession.Status

# What a session's status means for the client, in their words.
CLIENT_STATUS_TEXT = {
    Status.BOOKED: _("Your session is booked. We look forward to seeing you!"),
    Status.SHOT: _(
        "Your photos are being prepared. You will get an email as soon as you can "
        "choose your favourites."
    ),
    Status.PROOFING: _(
        "Your proofs are ready: pick the photos you want, add a comment if you "
        "wish, then submit your selection."
    ),
    Status.AWAITING_PAYMENT: _(
        "Your selection is saved. The studio starts on it as soon as your extra photos are "
        "paid."
    ),
    Status.SELECTION_SUBMITTED: _("Thank you! Your selection is with the studio."),
    Status.RETOUCHING: _("Your photos are being retouched."),
    Status.DELIVERED: _("Your photos are ready to download."),
    # Only the originals (RAW) go to the archive tier: the finals stay online.
    Status.ARCHIVED: _(
        "Your photos are ready to download. The studio keeps the original files in its "
        "archive; ask if you need them."
    ),
    Status.RESTORING: _(
        "Your photos are ready to download. The studio is bringing the original files back "
        "from its archive."
    ),
    Status.CANCELLED: _("This session was cancelled."),
}


# --- What the client sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClientView:
    """What the client sees of a session at its status: every portal page and template asks
    this instead of comparing statuses."""

    status: str
    status_text: str
    proofs_visible: bool
    # The selection is open: the gallery with hearts, comments and the submit step.
    can_pick: bool
    # The submitted picks, read-only (until the finals replace them).
    shows_picks: bool
    # The picks beyond the package wait for the shop's payment: the "pay my extras" step.
    pays_extras: bool
    finals_visible: bool
    # A dated session not cancelled: "Ajouter à mon agenda" (its .ics, booker/calendars).
    in_calendar: bool = False


def client_view(session: PhotoSession) -> ClientView:
    status = session.status
    proofs = status in PROOFS_VISIBLE_TO_CLIENT
    finals = status in FINALS_VISIBLE_TO_CLIENT
    # Picking is open while the client's submission is ahead (set_pick asks the same status).
    can_pick = status == Status.PROOFING
    return ClientView(
        status=status,
        status_text=str(CLIENT_STATUS_TEXT[status]),
        proofs_visible=proofs,
        can_pick=can_pick,
        shows_picks=proofs and not can_pick and not finals,
        pays_extras=status == Status.AWAITING_PAYMENT,
        finals_visible=finals,
        in_calendar=session.scheduled_at is not None and status != Status.CANCELLED,
    )


# --- What the studio may do now ----------------------------------------------------------------


class Action(StrEnum):
    """The studio page's buttons; each value is its step in the URL (…/studio/do/<step>/)."""

    ADD_RUSHES = "add-rushes"
    PUBLISH = "publish"
    REOPEN = "reopen"
    START_RETOUCHING = "start-retouching"
    UPLOAD_FINALS = "upload-finals"
    # A package where the client approves the finals: sent to them before delivery.
    SEND_FOR_APPROVAL = "send-for-approval"
    DELIVER = "deliver"
    ARCHIVE = "archive"
    RESTORE = "restore"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Move:
    """An action as a move of the SESSION table: to `target`, from the sources the table allows
    (narrowed to `sources` when one move has two meanings: proofing is first published, then
    reopened)."""

    target: str
    sources: frozenset[str] | None = None
    # Also while already at `target` (rushes keep coming while the session is shot).
    at_target: bool = False
    # Statuses where the action is open without moving the session at all (more rushes while
    # the client chooses: a second card, the session stays in proofing).
    stays_at: frozenset[str] = frozenset()

    def open_from(self, status: str) -> bool:
        if (self.at_target and status == self.target) or status in self.stays_at:
            return True
        return SESSION.allows(status, self.target) and (
            self.sources is None or status in self.sources
        )


ACTION_MOVES: dict[Action, Move] = {
    # Rushes come in on the way to "shot" and while shot, and while the client chooses (a
    # second card: they are told of the new proofs). Not once the selection is submitted: the
    # photographer reopens it first, so nobody pays for picks made without the new photos.
    Action.ADD_RUSHES: Move(Status.SHOT, at_target=True, stays_at=frozenset({Status.PROOFING})),
    Action.PUBLISH: Move(Status.PROOFING, frozenset({Status.SHOT})),
    Action.REOPEN: Move(Status.PROOFING, SESSION.sources_of(Status.PROOFING) - {Status.SHOT}),
    Action.START_RETOUCHING: Move(Status.RETOUCHING),
    # Finals come in while the session is on its way to delivery from the retouching (a
    # restored session is delivered again by the archive, not by the photographer).
    Action.UPLOAD_FINALS: Move(Status.DELIVERED, frozenset({Status.RETOUCHING})),
    Action.SEND_FOR_APPROVAL: Move(Status.DELIVERED, frozenset({Status.RETOUCHING})),
    Action.DELIVER: Move(Status.DELIVERED, frozenset({Status.RETOUCHING})),
    Action.ARCHIVE: Move(Status.ARCHIVED),
    Action.RESTORE: Move(Status.RESTORING),
    Action.CANCEL: Move(Status.CANCELLED),
}


# Rushes alone (no proof out yet): on the way to "shot", and while shot.
_BEFORE_PROOFS = Move(Status.SHOT, at_target=True)


def proofs_published(status: str) -> bool:
    """Whether the proofs went out (the picks exist): past booked and shot, cancelled included."""
    return not _BEFORE_PROOFS.open_from(status)


def _preconditions_hold(action: Action, session: PhotoSession) -> bool:
    """The domain's conditions the table cannot say. Those that change while the page is open
    (rushes still in flight, retouches not yet approved) are left to the services, which refuse
    with the reason, and to the page's live progress."""
    if action == Action.START_RETOUCHING:
        return SelectionItem.objects.filter(selection__session=session, picked=True).exists()
    if action == Action.UPLOAD_FINALS:
        return RetouchJob.objects.filter(session=session).exists()
    if action in (Action.DELIVER, Action.SEND_FOR_APPROVAL):
        # When the package asks the client to approve the finals, the studio sends them until
        # the client has approved them all; then it delivers. Whether each retouch is approved
        # by the studio is the services' refusal (it changes while the page is open).
        if not RetouchJob.objects.filter(session=session).exists():
            return False
        if not session.client_approves_finals:
            return action == Action.DELIVER
        approved = finals_approval(session).all_approved
        return approved if action == Action.DELIVER else not approved
    return True


def session_actions(session: PhotoSession, user: User) -> frozenset[Action]:
    """What `user` may do now on `session` in the studio: each action whose move the SESSION
    table allows from the current status, for a person who runs the studio and works on this
    session, when the domain's preconditions hold. Templates ask `"publish" in actions`."""
    if not runs_the_studio(user) or not works_on_session(user, session):
        return frozenset()
    return frozenset(
        action
        for action, move in ACTION_MOVES.items()
        if move.open_from(session.status) and _preconditions_hold(action, session)
    )


# --- The road --------------------------------------------------------------------------------


def session_road() -> tuple[Status, ...]:
    """The session's road for the step indicator: the shortest way the SESSION table allows
    from booking to delivery (detours such as the extras' payment are not steps)."""
    goal = Status.DELIVERED
    came_from: dict[str, str | None] = {SESSION.initial: None}
    queue = deque([SESSION.initial])
    while queue:
        state = queue.popleft()
        if state == goal:
            break
        for target in sorted(SESSION.next_states(state)):
            if target not in came_from:
                came_from[target] = state
                queue.append(target)
    road: list[Status] = []
    state: str | None = goal
    while state is not None:
        road.append(Status(state))
        state = came_from[state]
    return tuple(reversed(road))


def _reachable_from(state: str) -> frozenset[str]:
    seen, queue = {state}, deque([state])
    while queue:
        for target in SESSION.next_states(queue.popleft()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return frozenset(seen)


def road_steps(status: str) -> list[tuple[str, str, str]]:
    """(value, label, "done" | "current" | "todo") for each step of `session_road()`. A status
    off the road stands at the furthest road step it moves to (extras awaiting payment: at the
    submitted selection); what comes after delivery (archive, restore) has done every step; a
    status that leads nowhere on the road (cancelled) has done none."""
    road = session_road()
    if status in road:
        here = road.index(status)
    elif status in _reachable_from(road[-1]):
        here = len(road)
    else:
        here = max(
            (road.index(t) for t in SESSION.next_states(status) if t in road), default=-1
        )
    return [
        (s.value, s.label, "done" if i < here else "current" if i == here else "todo")
        for i, s in enumerate(road)
    ]


def back_office_sessions(user: User) -> QuerySet[PhotoSession]:
    """The sessions of the back office's lists and pages: `studio_sessions`, the same rule as
    the files."""
    return studio_sessions(user).select_related("client", "company", "package")
