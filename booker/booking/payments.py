"""Where a booking's deposit is paid. The shop owns that page (its basket and checkout); the
Booker knows only the function the shop registers when its app is ready."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Booking

DepositPage = Callable[["Booking"], str]
_page: list[DepositPage] = []


def register_deposit_page(page: DepositPage) -> None:
    """`page(booking)` is the URL where the booking's deposit is paid (one provider)."""
    _page[:] = [page]


def deposit_page(booking: Booking) -> str | None:
    return _page[0](booking) if _page else None
