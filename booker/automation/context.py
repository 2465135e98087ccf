"""Who a rule's message goes to, and what its template may say.

Templates see plain values only (strings, numbers, lists of dicts), never model instances: a
template edited in the admin cannot reach a password hash or a private file through an
attribute. `VARIABLES` lists them for the editor; `build()` computes them for one message.

Events without a session (an order, an invitation) name a `subject` ("order:12"); the app that
owns it describes it through `register_subject` (the shop registers "order" and "basket" in its
apps' ready()), so the engine never imports the shop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booker import roles
from booker.branding import studio_details
from booker.events import Event, Happened
from booker.mail import absolute_url
from booker.models import Membership, PhotoSession, RetouchJob, User
from booker.money import euros  # noqa: F401 (re-exported: the shop formats with it)
from booker.people.models import LEAD_ROLES


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    user_id: int | None = None


@dataclass
class Subject:
    """What an app says about the subject of an event without a session."""

    variables: dict[str, Any] = field(default_factory=dict)
    # Who "the client" is for this subject (the customer of an order…).
    client: list[Recipient] = field(default_factory=list)
    billing: list[Recipient] = field(default_factory=list)
    company_name: str = ""
    amount: Decimal | None = None
    # False when the subject no longer warrants the message (an order cancelled meanwhile).
    still_relevant: bool = True


SubjectProvider = Callable[[str, Happened], Subject | None]
_subjects: dict[str, SubjectProvider] = {}


def register_subject(prefix: str, provider: SubjectProvider) -> None:
    """`provider(subject_id, happened)` describes the subjects "<prefix>:<id>"."""
    _subjects[prefix] = provider


def describe_subject(happened: Happened) -> Subject | None:
    if not happened.subject:
        return None
    prefix, _sep, ident = happened.subject.partition(":")
    provider = _subjects.get(prefix)
    return provider(ident, happened) if provider else None


# The variables a template may use, by name, with what they hold (shown beside the editor).
VARIABLES: dict[str, Any] = {
    "greeting": gettext_lazy("“Bonjour Claire,” or “Bonjour à toute l’équipe d’ACME,”"),
    "recipient_name": gettext_lazy("the recipient's first name (or the company's name)"),
    "is_company": gettext_lazy("true when the session or order is a company's (B2B)"),
    "company_name": gettext_lazy("the company's name (B2B)"),
    "client_name": gettext_lazy("the client's full name, or the company's name"),
    "session_title": gettext_lazy("the session's title"),
    "session_date": gettext_lazy("the session's date and time (“samedi 12 décembre 2026 à 10:00”)"),
    "session_location": gettext_lazy("where the session takes place"),
    "session_url": gettext_lazy("the session's page in the client's space (absolute link)"),
    "studio_session_url": gettext_lazy("the session's page in the studio (for staff)"),
    "photographer_name": gettext_lazy("the photographer's name"),
    "package_name": gettext_lazy("the package's name"),
    "quota": gettext_lazy("photos included in the package"),
    "proofs_count": gettext_lazy("proofs published"),
    "picked": gettext_lazy("photos picked by the client"),
    "extras": gettext_lazy("photos picked beyond the package"),
    "amount": gettext_lazy("an amount in euros, formatted (“79,20 €”)"),
    "reason": gettext_lazy("the reason given (a cancellation…)"),
    "refund": gettext_lazy("the amount refunded, formatted (a booking cancelled or declined)"),
    "balance": gettext_lazy("the balance left to pay for a booking, formatted"),
    "balance_due_on": gettext_lazy("the day the booking's balance is due"),
    "booking_type": gettext_lazy("the session type booked online (“Portrait”)"),
    "booking_date": gettext_lazy("the date and time of the slot booked online"),
    "note": gettext_lazy("the note left with a retouch job"),
    "job_count": gettext_lazy("retouch jobs concerned"),
    "jobs_url": gettext_lazy("the retoucher's list of jobs (absolute link)"),
    "expires_on": gettext_lazy("when the downloads close (delivery expiring)"),
    "previous_date": gettext_lazy("the session's former date (rescheduled)"),
    "review_url": gettext_lazy("where to leave a review"),
    "portal_url": gettext_lazy("the client's space (absolute link)"),
    "account_url": gettext_lazy("the client's account page: preferences (absolute link)"),
    "studio_name": gettext_lazy("the studio's name (site settings)"),
    "studio_email": gettext_lazy("the studio's email address"),
    "studio_phone": gettext_lazy("the studio's phone"),
    "studio_address": gettext_lazy("the studio's postal address"),
    "site_url": gettext_lazy("the site's address"),
}
# What each event is called for the studio: the rules' "when" select, the session's history and
# its messages.
EVENT_LABELS: dict[str, Any] = {
    Event.SESSION_SHOT: gettext_lazy("Rushes uploaded (session shot)"),
    Event.PROOFS_PUBLISHED: gettext_lazy("Proofs published"),
    Event.EXTRAS_AWAITING_PAYMENT: gettext_lazy("Selection submitted, extras to pay"),
    Event.SELECTION_SUBMITTED: gettext_lazy("Selection submitted"),
    Event.RETOUCHING_STARTED: gettext_lazy("Retouching started"),
    Event.SESSION_DELIVERED: gettext_lazy("Photos delivered"),
    Event.SESSION_ARCHIVED: gettext_lazy("Originals archived"),
    Event.RESTORE_REQUESTED: gettext_lazy("Restore of the originals requested"),
    Event.SESSION_CANCELLED: gettext_lazy("Session cancelled"),
    Event.EXTRAS_PAID: gettext_lazy("Extra photos paid"),
    Event.SELECTION_REOPENED: gettext_lazy("Selection reopened"),
    Event.SESSION_RESTORED: gettext_lazy("Originals restored"),
    Event.SESSION_BOOKED: gettext_lazy("Session booked"),
    Event.SESSION_CONFIRMED: gettext_lazy("Session confirmed"),
    Event.SESSION_RESCHEDULED: gettext_lazy("Session rescheduled"),
    Event.DELIVERY_EXPIRING: gettext_lazy("Downloads closing soon"),
    Event.DELIVERY_EXTENDED: gettext_lazy("Downloads extended"),
    Event.EXTRAS_PAID_UNMATCHED: gettext_lazy("Extras payment not matched"),
    Event.PROOFS_ADDED: gettext_lazy("New proofs added after publication"),
    Event.PROOFS_HIDDEN: gettext_lazy("Proofs hidden from the client"),
    Event.PROOFS_SHOWN: gettext_lazy("Proofs shown to the client again"),
    Event.PROOFS_SET: gettext_lazy("Proofs put in a set"),
    Event.PROOF_MOVED: gettext_lazy("Proof moved in the gallery"),
    Event.COVER_CHOSEN: gettext_lazy("Gallery cover chosen"),
    Event.GALLERY_VISITED: gettext_lazy("Gallery visited"),
    Event.SHARE_CREATED: gettext_lazy("Family share link created"),
    Event.SHARE_REVOKED: gettext_lazy("Family share link revoked"),
    Event.RUSH_FAILED: gettext_lazy("A rush could not be processed"),
    Event.ARCHIVE_FAILED: gettext_lazy("Archiving failed"),
    Event.RESTORE_FAILED: gettext_lazy("Restore failed"),
    Event.JOB_TODO: gettext_lazy("Retouch to do"),
    Event.JOB_STARTED: gettext_lazy("Retouch started"),
    Event.JOB_IN_REVIEW: gettext_lazy("Retouch to review"),
    Event.JOB_DONE: gettext_lazy("Retouch approved"),
    Event.JOB_CHANGES_REQUESTED: gettext_lazy("Retouch changes requested"),
    Event.JOB_ASSIGNED: gettext_lazy("Retouches assigned"),
    Event.FINALS_SENT_FOR_APPROVAL: gettext_lazy("Retouches sent to the client for approval"),
    Event.FINALS_CLIENT_APPROVED: gettext_lazy("Retouches approved by the client"),
    Event.CLIENT_CHANGES_REQUESTED: gettext_lazy("Retouch change asked by the client"),
    Event.CLIENT_INVITED: gettext_lazy("Client invited"),
    Event.ORDER_PLACED: gettext_lazy("Order placed"),
    Event.ORDER_PAID: gettext_lazy("Order paid"),
    Event.ORDER_SHIPPED: gettext_lazy("Order shipped"),
    Event.INVOICE_DUE: gettext_lazy("Invoice due soon"),
    Event.INVOICE_OVERDUE: gettext_lazy("Invoice overdue"),
    Event.BASKET_ABANDONED: gettext_lazy("Basket abandoned"),
    Event.BOOKING_REQUESTED: gettext_lazy("Booking requested (to approve)"),
    Event.BOOKING_CONFIRMED: gettext_lazy("Booking confirmed"),
    Event.BOOKING_DONE: gettext_lazy("Booked session done"),
    Event.BOOKING_CANCELLED: gettext_lazy("Booking cancelled"),
    Event.BOOKING_DECLINED: gettext_lazy("Booking declined"),
    Event.BOOKING_EXPIRED: gettext_lazy("Held slot released"),
    Event.BOOKING_RESCHEDULED: gettext_lazy("Booking moved"),
    Event.HEADSHOT_DAY_OPENED: gettext_lazy("Headshot day open to the members"),
    Event.ORDER_APPROVAL_REQUESTED: gettext_lazy("Order waiting for an approver"),
    Event.ORDER_APPROVED: gettext_lazy("Order approved"),
    Event.ORDER_APPROVAL_REFUSED: gettext_lazy("Order refused by an approver"),
    Event.CREDIT_NOTE_ISSUED: gettext_lazy("Credit note issued"),
    Event.TEAM_INVITED: gettext_lazy("Colleague invited to the team"),
    Event.TEAM_INVITATION_REVOKED: gettext_lazy("Team invitation revoked"),
    Event.TEAM_JOINED: gettext_lazy("Colleague joined the team"),
    Event.TEAM_ROLE_CHANGED: gettext_lazy("Team role changed"),
    Event.TEAM_MEMBER_REMOVED: gettext_lazy("Colleague removed from the team"),
}


def event_label(name: str) -> str:
    """The studio's words for an event name (the name itself for one without a label)."""
    label = EVENT_LABELS.get(name)
    return str(label) if label is not None else name


# Variables the subjects add (registered by their apps with `declare_variables`).
SUBJECT_VARIABLES: dict[str, Any] = {}


def declare_variables(**described: Any) -> None:
    SUBJECT_VARIABLES.update(described)


def all_variables() -> dict[str, Any]:
    return {**VARIABLES, **SUBJECT_VARIABLES}


def when(moment) -> str:
    if not moment:
        return ""
    local = timezone.localtime(moment)
    return _("%(day)s at %(time)s") % {
        "day": date_format(local, "l j F Y"), "time": date_format(local, "H:i"),
    }


# --- Recipients ---------------------------------------------------------------------------------

def _person(user: User | None) -> list[Recipient]:
    if user is None or not user.is_active or not user.email:
        return []
    return [Recipient(user.email, user.first_name or user.get_full_name(), user.pk)]


def _members(session: PhotoSession, *, managers_only: bool) -> list[Recipient]:
    memberships = Membership.objects.filter(company_id=session.company_id,
                                            user__is_active=True).select_related("user")
    if managers_only:
        memberships = memberships.filter(role__in=LEAD_ROLES)
    out: list[Recipient] = []
    for membership in memberships.order_by("user__email"):
        out.extend(_person(membership.user))
    return out


def _retoucher(happened: Happened) -> list[Recipient]:
    payload = happened.payload
    if payload.get("assignee"):
        return _person(User.objects.filter(pk=payload["assignee"]).first())
    if payload.get("job"):
        job = RetouchJob.objects.filter(pk=payload["job"]).select_related("assignee").first()
        return _person(job.assignee if job else None)
    return []


def recipients(role: str, happened: Happened, session: PhotoSession | None,
               subject: Subject | None) -> list[Recipient]:
    """The people a rule's `role` stands for, for this event (deduplicated, in a stable order)."""
    from booker.automation.models import Rule

    R = Rule.Recipient
    found: list[Recipient] = []
    if role == R.CLIENT:
        if session is not None:
            found = (_members(session, managers_only=False) if session.company_id
                     else _person(session.client))
        elif subject is not None:
            found = subject.client
        else:
            found = _person(User.objects.filter(pk=happened.user_id).first())
    elif role == R.COMPANY_MANAGERS and session is not None and session.company_id:
        found = _members(session, managers_only=True)
    elif role == R.PHOTOGRAPHER and session is not None:
        found = _person(session.photographer)
    elif role == R.RETOUCHER:
        found = _retoucher(happened)
    elif role == R.SHOP_MANAGERS:
        if settings.BOOKE_SHOP_ORDERS_EMAIL:
            found = [Recipient(settings.BOOKE_SHOP_ORDERS_EMAIL, "")]
        else:
            for user in User.objects.filter(groups__name=roles.SHOP_MANAGER,
                                            is_active=True).order_by("email"):
                found.extend(_person(user))
    elif role == R.STUDIO:
        studio = studio_details()
        email = studio.get("email") or settings.BOOKE_STUDIO.get("email", "")
        found = [Recipient(email, studio.get("name", ""))] if email else []
    elif role == R.BILLING:
        if subject is not None:
            found = subject.billing
        elif session is not None and session.company_id and session.company.billing_email:
            found = [Recipient(session.company.billing_email, session.company.name)]
    seen: set[str] = set()
    unique = []
    for r in found:
        if r.email.lower() not in seen:
            seen.add(r.email.lower())
            unique.append(r)
    return unique


# --- Variables ----------------------------------------------------------------------------------

def _session_variables(session: PhotoSession) -> dict[str, Any]:
    company = session.company
    client = session.client
    return {
        "is_company": bool(company),
        "company_name": company.name if company else "",
        "client_name": company.name if company else (client.get_full_name() or client.email
                                                       if client else ""),
        "session_title": session.title,
        "session_date": when(session.scheduled_at),
        "session_location": session.location,
        "session_url": absolute_url(reverse("portal:session", args=[session.pk])),
        "studio_session_url": absolute_url(
            reverse("admin:booker_photosession_studio", args=[session.pk])),
        "photographer_name": session.photographer.get_full_name() if session.photographer else "",
        "package_name": session.package.name if session.package else "",
        "quota": session.quota,
    }


def _payload_variables(happened: Happened) -> dict[str, Any]:
    p = happened.payload
    out: dict[str, Any] = {}
    if "proofs" in p:
        out["proofs_count"] = p["proofs"]
    if "picked" in p:
        out["picked"] = p["picked"]
    if "extras" in p:
        extras = p["extras"]
        out["extras"] = len(extras) if isinstance(extras, list) else extras
    if p.get("unit_price") and isinstance(p.get("extras"), list):
        out["amount"] = euros(Decimal(str(p["unit_price"])) * len(p["extras"]))
    for key in ("reason", "note"):
        if p.get(key):
            out[key] = p[key]
    if "jobs" in p:
        out["job_count"] = len(p["jobs"]) if isinstance(p["jobs"], list) else p["jobs"]
    if p.get("expires_at"):
        out["expires_on"] = date_format(
            timezone.localtime(timezone.datetime.fromisoformat(p["expires_at"])), "l j F Y")
    if p.get("previous"):
        out["previous_date"] = when(timezone.datetime.fromisoformat(p["previous"]))
    # An online booking's money (booker.booking): what is refunded, the balance and its date.
    if p.get("refund") not in (None, "", "0", "0.00"):
        out["refund"] = euros(p["refund"])
    if p.get("balance") not in (None, "", "0", "0.00"):
        out["balance"] = euros(p["balance"])
    if p.get("balance_due_on"):
        out["balance_due_on"] = date_format(date.fromisoformat(p["balance_due_on"]), "l j F Y")
    return out


def build(happened: Happened, recipient: Recipient, session: PhotoSession | None,
          subject: Subject | None) -> dict[str, Any]:
    """Every variable of one message, as plain values."""
    studio = studio_details()
    values: dict[str, Any] = {
        "studio_name": studio.get("name", ""),
        "studio_email": studio.get("email", ""),
        "studio_phone": studio.get("phone", ""),
        "studio_address": studio.get("address", ""),
        "site_url": absolute_url("/"),
        "portal_url": absolute_url(reverse("portal:home")),
        "account_url": absolute_url(reverse("portal:account")),
        "review_url": getattr(settings, "BOOKE_REVIEW_URL", "") or absolute_url("/"),
        "jobs_url": absolute_url(reverse("admin:booker_retouchjob_mine")),
        "is_company": False,
        "company_name": "",
    }
    if session is not None:
        values.update(_session_variables(session))
    if subject is not None:
        values.update(subject.variables)
        if subject.company_name:
            values.update(is_company=True, company_name=subject.company_name)
        if subject.amount is not None:
            values.setdefault("amount", euros(subject.amount))
    values.update(_payload_variables(happened))
    first = recipient.name
    if values["is_company"] and recipient.user_id is None:
        first = values["company_name"]
    values["recipient_name"] = first or values.get("company_name", "")
    if values["is_company"]:
        values["greeting"] = (_("Hello %(name)s and the whole %(company)s team,")
                              % {"name": first, "company": values["company_name"]}
                              if first and first != values["company_name"]
                              else _("Hello to the whole %(company)s team,")
                              % {"company": values["company_name"]})
    else:
        values["greeting"] = (_("Hello %(name)s,") % {"name": first} if first
                              else _("Hello,"))
    return values
