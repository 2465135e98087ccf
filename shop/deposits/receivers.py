"""What booking deposits hear, turned into calls to our services (no rule here): the shop's
payment events, and the Booker's typed events (booker.events, sent after commit)."""

from decimal import Decimal, InvalidOperation

from django.dispatch import receiver

from booker.events import Event, Happened, subscribe
from shop.payments.signals import order_invoice_cancelled, order_invoiced, order_paid

from . import services


@receiver(order_paid, dispatch_uid="deposits.booking_paid")
def confirm_paid_bookings(sender, order, **kwargs) -> None:
    services.order_paid(order)


@receiver(order_invoiced, dispatch_uid="deposits.booking_invoiced")
def confirm_invoiced_bookings(sender, order, **kwargs) -> None:
    services.order_invoiced(order)


@receiver(order_invoice_cancelled, dispatch_uid="deposits.invoice_cancelled")
def cancel_bookings_of_cancelled_invoice(sender, order, **kwargs) -> None:
    services.invoice_cancelled(order)


@subscribe(Event.BOOKING_CANCELLED, Event.BOOKING_DECLINED)
def refund_cancelled_booking(event: Happened) -> None:
    # A declined request gives back everything paid, as a cancellation by the studio does.
    token = str(event.payload.get("booking") or "")
    try:
        refund = Decimal(str(event.payload.get("refund") or "0"))
    except InvalidOperation:
        refund = Decimal("0")
    by_studio = event.event == Event.BOOKING_DECLINED or bool(event.payload.get("by_studio"))
    if token and refund.is_finite() and refund >= 0:
        services.booking_cancelled(token, refund, by_studio=by_studio)


@subscribe(Event.BOOKING_EXPIRED, Event.BOOKING_DECLINED, Event.BOOKING_CANCELLED)
def withdraw_unpayable_deposit(event: Happened) -> None:
    # The booking lapsed, or will not happen: its deposit must not be paid from a basket
    # left open (a basket being paid at Stripe finishes; the Booker answers that payment).
    token = str(event.payload.get("booking") or "")
    if token:
        services.withdraw_deposit(token)
