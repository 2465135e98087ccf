"""Sums of money as a French reader expects them: "1 250,00 €" (narrow no-break space between
thousands, no-break space before the sign)."""

from __future__ import annotations

from decimal import Decimal


def euros(amount: Decimal | float | int | str | None) -> str:
    if amount in (None, ""):
        return ""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    whole, cents = f"{value:,.2f}".split(".")
    thin, nbsp = "\u202f", "\u00a0"
    return f"{whole.replace(',', thin)},{cents}{nbsp}€"
