"""Marketing's reads: who is in a segment, and what each address was sent."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from booker.marketing import conditions
from booker.marketing.conditions import Matches, Recipient
from booker.marketing.models import CampaignSend, Segment
from booker.models import normalise_email

CSV_HEADER = ("email", "name", "account", "company", "basis")


def recipients(segment: Segment) -> list[Recipient]:
    """The people every condition of `segment` matches, by email; none without a condition.
    A person matched as a company's member by one condition keeps that company (B2B)."""
    found: Matches | None = None
    for condition in segment.conditions.all():
        kind = conditions.get(condition.kind)
        matched = kind.match(condition.params()) if kind is not None else {}
        if found is None:
            found = dict(matched)
        else:
            found = {email: _merge(found[email], matched[email])
                     for email in found if email in matched}
    return sorted((found or {}).values(), key=lambda r: r.email)


def _merge(a: Recipient, b: Recipient) -> Recipient:
    company = a if a.company_id is not None else b
    return Recipient(a.email, a.name or b.name, a.user_id or b.user_id, company.company_id,
                     company.company_name)


def preview(segment: Segment, rows: int = 20) -> tuple[int, list[Recipient]]:
    """The segment's count and its first `rows` people."""
    people = recipients(segment)
    return len(people), people[:rows]


def csv_rows(segment: Segment) -> Iterator[tuple]:
    """The segment as spreadsheet rows (the caller writes them through booker.csvsafe)."""
    yield CSV_HEADER
    for r in recipients(segment):
        yield (r.email, r.name, r.user_id or "", r.company_name,
               "legitimate interest" if r.b2b else "consent")


def sends_for_email(email: str) -> QuerySet[CampaignSend]:
    """Every campaign email of an address, newest first: sent, skipped, bounced (the CRM's
    timeline reads them)."""
    return (CampaignSend.objects.filter(email=normalise_email(email))
            .select_related("campaign").order_by("-campaign__created_at", "-pk"))
