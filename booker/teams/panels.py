"""What other parts of the site show on a company's dashboard, without the Booker importing
them: the shop registers its orders, invoices and credit notes (and what the company spent
this year) from its own AppConfig.ready; the dashboard asks every registered source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from booker.people.models import Company, User


@dataclass(frozen=True)
class PanelRow:
    """One line of a panel: what it is, where it leads, its status in words, and a detail
    (an amount, a date) already formatted in French."""

    label: str
    url: str = ""
    status: str = ""
    detail: str = ""
    # Extra link on the row (an invoice's PDF); empty: none.
    file_url: str = ""
    file_label: str = ""


@dataclass(frozen=True)
class CompanyPanel:
    key: str
    title: str
    rows: list[PanelRow] = field(default_factory=list)
    empty: str = ""
    link_url: str = ""
    link_label: str = ""
    # What this source counts in the company's spend this calendar year (tax included), or
    # None when it counts nothing: the dashboard adds them up against the budget.
    spent_this_year: Decimal | None = None


# `source(company, user)` gives its panel for `user` acting in `company`, or None when it
# has nothing to show them (their role does not see it).
PanelSource = Callable[[Company, User], "CompanyPanel | None"]
_sources: list[PanelSource] = []


def register_company_panel(source: PanelSource) -> None:
    """Have `source`'s panel on every company dashboard (registering twice counts once)."""
    if source not in _sources:
        _sources.append(source)


def company_panels(company: Company, user: User) -> list[CompanyPanel]:
    panels = []
    for source in _sources:
        panel = source(company, user)
        if panel is not None:
            panels.append(panel)
    return panels
