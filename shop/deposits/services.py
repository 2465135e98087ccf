"""Writes for booking deposits: the deposit line put in Oscar's basket with its booking as a
line attribute (an Oscar Option), and the Booker told when a deposit order is paid or placed
on invoice; refunds when the slot was lost or the booking cancelled, through the shop's own
refund (shop.payments.services.refund_order, Stripe).

Who may pay which booking is decided by the caller (booker.selectors.booking_for); the
booking's state changes only through booker.services."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from booker import selectors as booker_selectors
from booker import services as booker_services
from booker.models import Booking
from shop.catalogue.product_classes import DEPOSIT_UPC
from shop.payments import selectors as payment_selectors
from shop.payments import services as payments
from shop.payments.models import PaymentMethod

from . import selectors
from .selectors import RESERVATION

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
Option = get_model("catalogue", "Option")
Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

log = logging.getLogger(__name__)


class DepositError(Exception):
    """A refused basket change, with a message for the client."""


# --- The basket -------------------------------------------------------------------------------


def put_deposit_in_basket(basket, booking: Booking) -> Line:
    """One "Acompte de séance" line for the booking, replacing any earlier one (a client who
    comes back to pay gets the same line, not a second). `booking` must come from
    booker.selectors.booking_for (its owner asks). DepositError when nothing is payable."""
    if booker_selectors.deposit_payable(booking.pk) is None:
        raise DepositError(_("This booking awaits no deposit."))
    product = selectors.deposit_product()
    methods = payment_selectors.payment_methods_for(basket.owner) if basket.owner else []
    if product is None or not [m for m in methods if m != PaymentMethod.STUDIO]:
        # Neither card payments (Stripe not configured) nor invoice for this client: "at the
        # studio" would only place an unpaid order while the hold runs out.
        raise DepositError(
            _("The deposit cannot be paid online at the moment: please contact the studio.")
        )
    for line in basket.all_lines():
        if selectors.token_of_line(line) == booking.token:
            line.delete()
    basket.reset_offer_applications()
    option = Option.objects.get(code=RESERVATION)
    line, _created = basket.add_product(
        product, 1, [{"option": option, "value": booking.token}]
    )
    # Oscar keeps the price seen at adding; it read the catalogue's, the strategy's line price
    # (fetch_for_line) is the Booker's.
    price = basket.strategy.fetch_for_line(line, line.stockrecord).price
    line.price_excl_tax, line.price_incl_tax = price.excl_tax, price.incl_tax
    line.save(update_fields=["price_excl_tax", "price_incl_tax"])
    return line


def withdraw_deposit(token: str) -> int:
    """The booking lapsed, was declined or cancelled: its unpaid deposit line leaves the open
    and saved baskets. Returns how many lines were removed."""
    product = selectors.deposit_product()
    if product is None:
        return 0
    # A frozen basket is being paid at Stripe: its payment is left to finish (the Booker
    # confirms a late payment while the slot is still free, the shop refunds it otherwise).
    lines = Line.objects.filter(
        product=product,
        basket__status__in=(Basket.OPEN, Basket.SAVED),
        attributes__option__code=RESERVATION,
        attributes__value=token,
    ).distinct()
    removed = 0
    for line in lines:
        line.delete()
        removed += 1
    if removed:
        log.info("Booking %s: %d unpaid deposit line(s) withdrawn", token, removed)
    return removed


# --- Paid, or placed on invoice ------------------------------------------------------------------


def _deposit_lines(order) -> list[tuple[object, Booking | None]]:
    lines = order.lines.filter(product__upc=DEPOSIT_UPC).prefetch_related("attributes__option")
    return [(line, selectors.booking_of_line(line)) for line in lines]


def order_paid(order) -> None:
    """Tell the Booker what each deposit line of a paid order paid: the amount of the line,
    never what the booking says it costs. Money the Booker does not keep (the slot was taken
    after the hold lapsed, the booking was cancelled or declined meanwhile) goes back: on the
    card through Stripe, otherwise the shop manager is told in a note. Called by the
    `order_paid` receiver; safe to call twice (the Booker answers a reference it has seen the
    same way, and a line refunded once is not refunded again)."""
    reference = f"order {order.number}"
    for line, booking in _deposit_lines(order):
        amount = line.line_price_incl_tax
        if booking is None:
            log.error("Order %s paid the deposit of a booking that no longer exists",
                      order.number)
            _note(order, _("This order paid a booking's deposit, but the booking no longer "
                           "exists: refund %(amount)s € by hand.") % {"amount": _euros(amount)})
            continue
        if booker_services.booking_paid(booking.pk, amount, reference=reference,
                                        actor=order.user):
            continue
        booking.refresh_from_db(fields=["status"])
        if booking.status == Booking.Status.EXPIRED:
            why = _("The slot of booking %(booking)s was taken before its deposit arrived: "
                    "the booking is not confirmed.")
        else:
            why = _("Booking %(booking)s no longer awaited this deposit (cancelled, declined "
                    "or paid already).")
        why %= {"booking": _label(booking)}
        if payment_selectors.payment_method_of(order) == PaymentMethod.CARD:
            _refund_line(order, line, amount, why + " " + _(
                "Its %(amount)s € are refunded.") % {"amount": _euros(amount)})
        else:
            _note(order, why + " " + _("Give back its %(amount)s € by transfer.")
                  % {"amount": _euros(amount)})


def invoice_reference(order) -> str:
    """The reference a deposit ordered on invoice is given to the Booker: not the order's
    (`order <number>`), which names the payment that comes when the invoice is paid."""
    invoice = getattr(order, "invoice", None)
    return f"invoice {invoice.number}" if invoice else f"invoice of order {order.number}"


def order_invoiced(order) -> None:
    """A company's order placed unpaid on invoice: each deposit line's booking is confirmed
    on the invoice (the company's promise; `order_paid` records the money when the invoice is
    paid). A booking that cannot be confirmed (its slot was lost) leaves a note, and the order
    is cancelled when it holds nothing else: nothing of the invoice is due."""
    reference = invoice_reference(order)
    lost = 0
    for line, booking in _deposit_lines(order):
        if booking is None:
            continue
        if not booker_services.booking_invoiced(booking.pk, reference=reference,
                                                actor=order.user):
            lost += 1
            _note(order, _("Booking %(booking)s could not be confirmed (its slot was lost): "
                           "its deposit of %(amount)s € is not due.")
                  % _said(_label(booking), line.line_price_incl_tax))
    if lost and lost == order.lines.count():
        _cancel_unpaid(order, _("Order cancelled: none of its bookings could be confirmed."))


# --- Cancelled ---------------------------------------------------------------------------------


def booking_cancelled(token: str, refund: Decimal, *, by_studio: bool = False,
                      now: datetime | None = None) -> Decimal:
    """The Booker cancelled a booking and gives back `refund` of the deposit paid: it comes
    from the orders whose money the Booker kept, oldest first — on the card through Stripe;
    paid otherwise (transfer, at the studio, an invoice paid), a note says what to give back.

    An invoice not paid yet is no money received: what of it is no longer due is the share the
    booking's refund rules give back at this date (all of it when the studio cancels), which
    a credit note cancels; the order is cancelled, as the shop does for an invoice order that
    will not be paid, when nothing of it is due any more. Returns
    what went back through Stripe. Safe to call twice: a line refunded once counts as done."""
    booking = Booking.objects.filter(token=token).select_related("session_type").first()
    if booking is None:
        return Decimal("0")
    label = _label(booking)
    remaining = refund
    refunded = Decimal("0")
    for line in selectors.deposit_order_lines(token):
        order = line.order
        method = payment_selectors.payment_method_of(order)
        if order.status == settings.ORDER_AWAITING_PAYMENT and method == PaymentMethod.INVOICE:
            _invoice_no_longer_due(order, line, booking, label, by_studio=by_studio, now=now)
            continue
        if remaining <= 0 or not selectors.paid_into_booking(booking, order):
            continue  # nothing left to give back, or its money was not kept (refunded then)
        already = _refunded_on(line)
        if already > 0:
            remaining -= already  # this cancellation's refund, heard before
            continue
        amount = min(remaining, line.line_price_incl_tax)
        remaining -= amount
        if method == PaymentMethod.CARD:
            message = _("Booking %(booking)s cancelled: %(amount)s € of its deposit "
                        "refunded.") % _said(label, amount)
            if _refund_line(order, line, amount, message):
                refunded += amount
        else:
            _note(order, _("Booking %(booking)s cancelled: give back %(amount)s € of its "
                           "deposit by transfer.") % _said(label, amount))
    if remaining > 0:
        log.error("Booking %s cancelled: %s € of its refund found no deposit order to come "
                  "from", token, remaining)
    return refunded


def _invoice_no_longer_due(order, line, booking: Booking, label: str, *, by_studio: bool,
                           now: datetime | None) -> None:
    # The Booker's own rule (SessionType.refund_percent, by whole days before the session),
    # applied to the invoiced deposit instead of money received.
    if by_studio:
        share = 100
    else:
        days = (booking.starts_at - (now or timezone.now())).total_seconds() / 86400
        share = booking.session_type.refund_percent(days)
    amount = (line.line_price_incl_tax * share / 100).quantize(Decimal("0.01"))
    if amount <= 0:
        _note(order, _("Booking %(booking)s cancelled: its cancellation policy gives nothing "
                       "back, the invoice stays due.") % {"booking": label})
        return
    invoice = getattr(order, "invoice", None)
    note = None
    if invoice is not None:
        note = payments.issue_credit_note(
            invoice, amount,
            reason=_("Booking %(booking)s cancelled: deposit no longer due.")
            % {"booking": label},
        )
    if note is not None:
        _note(order, _("Booking %(booking)s cancelled: %(amount)s € of its deposit are no "
                       "longer due on this invoice: credit note %(note)s.")
              % {**_said(label, note.amount), "note": note.number})
    if invoice is not None and payment_selectors.invoice_balance(invoice) <= 0:
        _cancel_unpaid(order, _("Order cancelled: its booking was cancelled and nothing of it "
                                "is due any more."))


def invoice_cancelled(order) -> int:
    """The shop cancelled an unpaid order on invoice (the dashboard): a booking confirmed on
    that invoice's promise, with nothing paid towards its deposit, is not left confirmed for
    free. By the booking's own rule (a booking is confirmed on its deposit, paid or invoiced),
    it is cancelled as by the studio: nothing was paid, nothing is refunded, the client is
    told. A booking with money paid otherwise stays, and the shop manager reads why in a
    note. Returns how many bookings were cancelled."""
    reference = invoice_reference(order)
    cancelled = 0
    for _line, booking in _deposit_lines(order):
        if booking is None or booking.status != Booking.Status.CONFIRMED:
            continue
        if not any(isinstance(p, dict) and p.get("reference") == reference
                   for p in booking.deposit_references or []):
            continue  # not confirmed on this invoice
        label = _label(booking)
        if booking.deposit_paid > 0:
            _note(order, _("Booking %(booking)s stays confirmed: part of its deposit was paid "
                           "otherwise.") % {"booking": label})
            continue
        booker_services.cancel_booking(
            booking, actor=None, by_studio=True,
            reason=_("Its deposit invoice %(invoice)s was cancelled.")
            % {"invoice": reference.removeprefix("invoice ")},
        )
        _note(order, _("Booking %(booking)s cancelled: its deposit invoice was cancelled and "
                       "nothing of it was paid.") % {"booking": label})
        cancelled += 1
    return cancelled


# --- Helpers -----------------------------------------------------------------------------------


def _refunded_on(line) -> Decimal:
    """What was refunded of an order line by this module (each refund it makes names its one
    line, through Oscar's PaymentEventQuantity)."""
    total = PaymentEvent.objects.filter(
        line_quantities__line=line, event_type__name=payments.EVENT_REFUND
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def _refund_line(order, line, amount: Decimal, message: str) -> bool:
    """Refund `amount` of one deposit line through Stripe, once: a line that has a refund of
    its own already is left alone (the signal heard twice). Without a card payment to refund
    (paid at the studio, by transfer), or when Stripe refuses, the shop manager is told in a
    note. True when the money went back now."""
    with transaction.atomic():
        Order._default_manager.select_for_update().filter(pk=order.pk).first()
        if _refunded_on(line) > 0:
            return False
        try:
            event = payments.refund_order(order, amount)
        except (payments.PaymentError, stripe.StripeError) as error:
            log.error("Order %s: deposit refund of %s failed: %s", order.number, amount, error)
            _note(order, _("%(message)s The automatic refund failed (%(error)s): refund it by "
                           "hand.") % {"message": message, "error": error})
            return False
        PaymentEventQuantity.objects.get_or_create(
            event=event, line=line, defaults={"quantity": line.quantity}
        )
        _note(order, message)
    log.info("Order %s: deposit refund of %s", order.number, amount)
    return True


def _cancel_unpaid(order, message: str) -> None:
    with transaction.atomic():
        order = Order._default_manager.select_for_update().get(pk=order.pk)
        if order.status != settings.ORDER_AWAITING_PAYMENT:
            return
        order.set_status(settings.ORDER_CANCELLED)
        _note(order, message)


def _note(order, message: str) -> None:
    # A note said once: the same event heard twice does not write it twice.
    if not OrderNote.objects.filter(order=order, message=message).exists():
        OrderNote.objects.create(order=order, note_type=OrderNote.SYSTEM, message=message)


def _euros(amount: Decimal) -> str:
    """An amount as a French reader reads it in a note ("60,00")."""
    return formats.number_format(amount, 2, use_l10n=True)


def _said(label: str, amount: Decimal) -> dict[str, str]:
    return {"booking": label, "amount": _euros(amount)}


def _label(booking: Booking) -> str:
    start = timezone.localtime(booking.starts_at)
    return f"{booking.session_type} — {start:%d/%m/%Y %H:%M}"


