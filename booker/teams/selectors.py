"""Reads of the team portal: who is in which company with which role, what each role may do,
and what a company's space shows (its sessions, its people, its activity).

Every company page asks `company_for` on every request: a removed member's membership row is
gone, so their next request is a 404, whatever page or download they had open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booker.models import (
    Company,
    DownloadLog,
    Membership,
    PhotoSession,
    SessionEvent,
    TeamInvitation,
    User,
)
from booker.proofing.selectors import company_picks
from booker.sessions.access import FINALS_VISIBLE_TO_CLIENT
from booker.teams.panels import CompanyPanel, company_panels

Role = Membership.Role
Status = PhotoSession.Status


# --- Who is where --------------------------------------------------------------------------------


def membership_in(user: User, company: Company) -> Membership | None:
    """`user`'s membership of `company`, read from the database each time (never cached on
    the session): None for anyone who is not (or no longer) a member."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return Membership.objects.filter(company=company, user=user).first()


def company_for(user: User, slug: str) -> tuple[Company, Membership]:
    """The company of `slug` and `user`'s place in it; 404 for anyone else (the same answer
    as for a slug that does not exist: a company's existence is not told to strangers)."""
    company = Company.objects.filter(slug=slug).first()
    membership = membership_in(user, company) if company is not None else None
    if membership is None:
        raise Http404("No such company.")
    return company, membership


def companies_of(user: User) -> QuerySet[Company]:
    if not getattr(user, "is_authenticated", False):
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user).order_by("name").distinct()


# --- What each role may do (a membership, or None for a non-member) ------------------------------


def is_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.ADMIN


def may_invite(membership: Membership | None) -> bool:
    return is_admin(membership)


def may_change_roles(membership: Membership | None) -> bool:
    return is_admin(membership)


def may_remove_members(membership: Membership | None) -> bool:
    return is_admin(membership)


def may_see_activity(membership: Membership | None) -> bool:
    return is_admin(membership)


def may_approve(membership: Membership | None) -> bool:
    """Approvers and admins: submit the company's selections, approve its orders."""
    return membership is not None and membership.leads


def may_submit_selection(membership: Membership | None) -> bool:
    return may_approve(membership)


def may_pick(membership: Membership | None) -> bool:
    """Every member picks, comments and downloads what is delivered to the company."""
    return membership is not None


def admin_count(company: Company) -> int:
    return Membership.objects.filter(company=company, role=Role.ADMIN).count()


# --- The members page ----------------------------------------------------------------------------


def members(company: Company) -> QuerySet[Membership]:
    return (Membership.objects.filter(company=company).select_related("user")
            .order_by("user__last_name", "user__first_name", "user__email"))


def pending_invitations(company: Company) -> list[TeamInvitation]:
    """Invitations not accepted yet: waiting, expired or revoked (an admin may send them
    again); the accepted ones are members now."""
    return list(TeamInvitation.objects.filter(company=company, used_at__isnull=True)
                .select_related("invited_by").order_by("-sent_at", "-pk"))


def email_domain_allowed(company: Company, email: str) -> bool:
    domains = company.allowed_domains()
    if not domains:
        return True
    return email.rpartition("@")[2].strip().lower() in domains


# --- The dashboard -------------------------------------------------------------------------------


def company_sessions(company: Company) -> QuerySet[PhotoSession]:
    return (PhotoSession.objects.filter(company=company).exclude(status=Status.CANCELLED)
            .select_related("package"))


@dataclass(frozen=True)
class Dashboard:
    upcoming: list[PhotoSession]
    past: list[PhotoSession]
    selections_waiting: list[PhotoSession]
    deliveries: list[PhotoSession]
    panels: list[CompanyPanel]
    spent_this_year: Decimal | None
    budget: Decimal | None

    @property
    def session_lists(self) -> list[tuple[str, str, list[PhotoSession], str]]:
        """The dashboard's session cards in their order: (key, title, sessions, when empty)."""
        return [
            ("waiting", _("Selections waiting"), self.selections_waiting,
             _("No selection is waiting.")),
            ("upcoming", _("Upcoming sessions"), self.upcoming, _("No session planned.")),
            ("deliveries", _("Deliveries"), self.deliveries, _("No photos delivered yet.")),
            ("past", _("Past sessions"), self.past, _("No past session.")),
        ]

    @property
    def budget_left(self) -> Decimal | None:
        if self.budget is None:
            return None
        return self.budget - (self.spent_this_year or Decimal("0"))

    @property
    def budget_percent(self) -> int | None:
        if not self.budget:
            return None
        return min(100, int((self.spent_this_year or 0) * 100 / self.budget))


def dashboard(company: Company, user: User) -> Dashboard:
    """What the company's space shows `user`: its sessions by where they stand, and the
    panels other parts of the site register (the shop's orders and invoices), with what they
    count in this year's spend."""
    now = timezone.now()
    sessions = list(company_sessions(company).order_by("scheduled_at", "pk"))
    upcoming = [s for s in sessions if s.scheduled_at and s.scheduled_at >= now
                or s.scheduled_at is None and s.status in (Status.BOOKED,)]
    past = [s for s in reversed(sessions) if s not in upcoming]
    panels = company_panels(company, user)
    spends = [p.spent_this_year for p in panels if p.spent_this_year is not None]
    return Dashboard(
        upcoming=upcoming,
        past=past,
        selections_waiting=[s for s in sessions if s.status == Status.PROOFING],
        deliveries=[s for s in reversed(sessions) if s.status in FINALS_VISIBLE_TO_CLIENT],
        panels=panels,
        spent_this_year=sum(spends, Decimal("0")) if spends else None,
        budget=company.annual_budget,
    )


# --- The activity log ----------------------------------------------------------------------------

TEAM_EVENT_WORDS = {
    "team.invited": _("invited %(email)s as %(role)s"),
    "team.invitation_revoked": _("revoked the invitation of %(email)s"),
    "team.joined": _("joined the team as %(role)s"),
    "team.role_changed": _("changed the role of %(email)s to %(role)s"),
    "team.member_removed": _("removed %(email)s from the team"),
}


@dataclass(frozen=True)
class Activity:
    at: datetime
    who: str
    what: str
    session: PhotoSession | None = None


def _who(user: User | None) -> str:
    if user is None:
        return str(_("the studio"))
    return user.get_full_name() or user.email


def _role_words(role: str) -> str:
    return str(dict(Role.choices).get(role, role))


def _event_words(row: SessionEvent) -> str:
    words = TEAM_EVENT_WORDS.get(row.name)
    if words is not None:
        payload = row.payload or {}
        return str(words) % {"email": payload.get("email", ""),
                             "role": _role_words(payload.get("role", ""))}
    from booker.automation.context import event_label

    return event_label(row.name)


# The studio's own workings, which are not the client's business: who retouches which photo,
# uploads that failed, the archive's moves, a payment the studio reconciles by hand.
_STUDIO_INSIDE = (
    Q(name__startswith="retouch.") | Q(name__startswith="rush.")
    | Q(name__startswith="archive.") | Q(name__startswith="restore.")
    | Q(name__in=["session.retouching", "session.archived", "session.restoring",
                  "session.restored", "session.extras_paid_unmatched", "basket.abandoned",
                  "account.invited"])
)


def activity(company: Company, *, limit: int = 1000) -> list[Activity]:
    """Who did what for `company`, newest first: its sessions' events (picked, submitted,
    delivered…), the events that name it (the team's, the shop's orders), and every download
    of its deliveries. At most `limit` of each kind (the page paginates the merge)."""
    events = (SessionEvent.objects
              .filter(Q(session__company=company) | Q(payload__company=company.pk))
              .exclude(_STUDIO_INSIDE)
              .select_related("actor", "session").order_by("-created_at", "-pk")[:limit])
    rows = [Activity(e.created_at, _who(e.actor), _event_words(e), e.session) for e in events]
    downloads = (DownloadLog.objects.filter(delivery__session__company=company)
                 .select_related("user", "final__job__rush", "delivery__session")
                 .order_by("-created_at")[:limit])
    for d in downloads:
        if d.final_id:
            what = _("downloaded %(file)s") % {"file": d.final.job.rush.stem}
        else:
            what = str(_("downloaded every photo (ZIP)"))
        rows.append(Activity(d.created_at, _who(d.user), str(what), d.delivery.session))
    # Who picked which photo (a member for themselves, a lead for the team): the pick as it
    # stands, when it was last changed.
    for item in company_picks(company.pk)[:limit]:
        rows.append(Activity(item.updated_at, _who(item.picked_by),
                             str(_("picked %(file)s") % {"file": item.rush.stem}),
                             item.selection.session))
    rows.sort(key=lambda a: a.at, reverse=True)
    return rows


def session_downloads(session: PhotoSession, *, limit: int = 50) -> list[DownloadLog]:
    """The downloads of a session's delivery, newest first: who, when, which file (the
    studio's session page shows them)."""
    return list(DownloadLog.objects.filter(delivery__session=session)
                .select_related("user", "final__job__rush").order_by("-created_at")[:limit])
