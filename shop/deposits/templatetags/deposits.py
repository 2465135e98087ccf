"""The bookings an order paid the deposit of, for the order's confirmation page: the client
goes on to their booking (its contract, its calendar invitation) rather than the shop."""

from __future__ import annotations

from django import template

from shop.deposits import selectors

register = template.Library()


@register.simple_tag
def deposit_bookings(order) -> list:
    """The bookings whose deposit lines `order` holds, in line order, each once."""
    found = []
    for line in order.lines.prefetch_related("attributes__option").select_related("product"):
        booking = selectors.booking_of_line(line)
        if booking is not None and booking not in found:
            found.append(booking)
    return found
