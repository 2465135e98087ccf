"""The kinds of condition a segment is made of, in one registry.

A kind names the people it matches from the data, with up to three parameters the admin fills
in (a number, a date, a text). The Booker registers its own here; the shop registers those that
read its orders (shop/marketing.py), so that the Booker never imports Oscar. A segment is the
people every one of its conditions matches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from booker.crm.selectors import current_addresses_of
from booker.models import (
    Company,
    MarketingConsent,
    Membership,
    PhotoSession,
    User,
    normalise_email,
)


@dataclass(frozen=True)
class Recipient:
    """One person a campaign may reach. `company_id` set: reached as that company's member
    (B2B, legitimate interest); unset: as a private person (B2C, consent needed)."""

    email: str
    name: str = ""
    user_id: int | None = None
    company_id: int | None = None
    company_name: str = ""

    @property
    def b2b(self) -> bool:
        return self.company_id is not None


Matches = dict[str, Recipient]  # by normalised email: one person once


@dataclass(frozen=True)
class Params:
    number: int | None = None
    date: date | None = None
    text: str = ""


@dataclass(frozen=True)
class ConditionKind:
    key: str
    label: str | Promise
    # Which of the parameters the kind reads ("number", "date", "text"), and which it needs.
    uses: tuple[str, ...]
    requires: tuple[str, ...]
    match: Callable[[Params], Matches]
    help_text: str | Promise = ""


_KINDS: dict[str, ConditionKind] = {}


def register(kind: ConditionKind) -> None:
    _KINDS[kind.key] = kind


def kinds() -> dict[str, ConditionKind]:
    return dict(_KINDS)


def kind_choices() -> list[tuple[str, str]]:
    """For the admin's select (called each time: the shop's kinds register at start-up)."""
    return [(k.key, k.label) for k in _KINDS.values()]


def get(key: str) -> ConditionKind | None:
    return _KINDS.get(key)


# --- People as recipients ----------------------------------------------------------------------


def person(user: User) -> Recipient:
    return Recipient(normalise_email(user.email), user.get_full_name() or user.first_name,
                     user.pk)


def people(users) -> Matches:
    found: Matches = {}
    for user in users:
        if user.email and user.is_active:
            found.setdefault(normalise_email(user.email), person(user))
    return found


def members_of(companies) -> Matches:
    found: Matches = {}
    for m in (Membership.objects.filter(company__in=companies, user__is_active=True)
              .select_related("user", "company").order_by("company__name", "pk")):
        if m.user.email:
            found.setdefault(normalise_email(m.user.email), Recipient(
                normalise_email(m.user.email), m.user.get_full_name() or m.user.first_name,
                m.user.pk, m.company_id, m.company.name))
    return found


# --- The Booker's kinds ------------------------------------------------------------------------

DELIVERED = (PhotoSession.Status.DELIVERED, PhotoSession.Status.ARCHIVED,
             PhotoSession.Status.RESTORING)


def _months_ago(months: int) -> timezone.datetime:
    # A month as 30.44 days: "delivered more than 11 months ago" needs no calendar precision.
    return timezone.now() - timedelta(days=round(months * 30.44))


def delivered_clients(params: Params) -> Matches:
    """Private clients whose session (of the type or package named, if any) was delivered more
    than `number` months ago."""
    sessions = PhotoSession.objects.filter(status__in=DELIVERED, client__isnull=False,
                                           delivery__delivered_at__lte=_months_ago(
                                               params.number or 0))
    if params.text:
        sessions = sessions.filter(Q(booking__session_type__name__iexact=params.text)
                                   | Q(booking__session_type__slug__iexact=params.text)
                                   | Q(package__name__iexact=params.text))
    return people(User.objects.filter(pk__in=sessions.values("client_id")).order_by("pk"))


def idle_companies(params: Params) -> Matches:
    """Members of the companies with no session (not cancelled) since `date`."""
    since = params.date or timezone.localdate().replace(month=1, day=1)
    busy = (PhotoSession.objects.exclude(status=PhotoSession.Status.CANCELLED)
            .filter(company__isnull=False)
            .filter(Q(scheduled_at__date__gte=since)
                    | Q(scheduled_at__isnull=True, created_at__date__gte=since)))
    return members_of(Company.objects.exclude(pk__in=busy.values("company_id")))


def newsletter_subscribers(params: Params) -> Matches:
    """Everyone with a confirmed newsletter consent (an account's name when there is one), at
    the address they use today (the consent follows a person who changed theirs)."""
    emails = current_addresses_of(MarketingConsent.objects.filter(
        purpose=MarketingConsent.Purpose.MARKETING,
        status=MarketingConsent.Status.CONFIRMED))
    found = people(User.objects.filter(email__in=emails).order_by("pk"))
    for email in sorted(emails):
        found.setdefault(normalise_email(email), Recipient(normalise_email(email)))
    return {e: found[e] for e in sorted(found)}


register(ConditionKind(
    "delivered_clients", _("Clients delivered more than N months ago"), ("number", "text"),
    ("number",), delivered_clients,
    _("Number: months since the delivery. Text (optional): the session type or package, "
      "e.g. Mariage.")))
register(ConditionKind(
    "idle_companies", _("Companies with no session since a date"), ("date",), (),
    idle_companies, _("Date: since when (1 January of this year when empty). Reaches the "
                      "companies' members.")))
register(ConditionKind(
    "newsletter_subscribers", _("Newsletter subscribers"), (), (), newsletter_subscribers,
    _("Everyone who confirmed their newsletter subscription.")))
