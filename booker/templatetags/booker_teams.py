"""The portal's "acting for" bar: whom a person acts for on the page they are on (a company,
or themselves), with a link to each of their companies' spaces."""

from __future__ import annotations

from django import template

from booker.money import euros as _euros
from booker.teams.selectors import companies_of

register = template.Library()


@register.inclusion_tag("booker/portal/_acting_for.html", takes_context=True)
def acting_for(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    companies = list(companies_of(user))
    if not companies:
        return {"show": False}
    acting = context.get("acting_company")
    if acting is None:
        # A company's session (its page, its selection) or booking (its headshot day) is
        # acted in for that company.
        for key in ("session", "booking"):
            owner = context.get(key)
            if owner is not None and getattr(owner, "company_id", None):
                acting = owner.company
                break
    return {"show": True, "acting": acting, "companies": companies}


@register.filter
def euros(amount) -> str:
    """1 250,00 € as a French reader writes it (booker.money.euros)."""
    return _euros(amount)
