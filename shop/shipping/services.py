"""Writes about shipping: the parcel's tracking number on an order."""

from __future__ import annotations


def set_tracking_number(order, number: str) -> None:
    """Records the carrier's number of `order`'s parcel (blank leaves the one recorded)."""
    number = " ".join((number or "").split())
    if number and number != order.tracking_number:
        order.tracking_number = number
        order.save(update_fields=["tracking_number"])

