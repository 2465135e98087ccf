"""Writes about payments: card payments through Stripe Checkout (placed exactly once), orders
marked paid, invoices numbered without gaps, refunds, invoice reminders; a company's orders
waiting for an approver, and credit notes."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from booker import services as booker_services
from booker.events import Event
from booker.models import Company, SessionEvent
from shop import notifications

from . import gateway, selectors
from .models import (
    SOURCE_TYPE_NAMES,
    CreditNote,
    CreditNoteCounter,
    Invoice,
    InvoiceCounter,
    OrderApproval,
    OrderPayment,
    PaymentMethod,
    StripeCheckout,
)
from .signals import order_invoice_cancelled, order_invoiced, order_paid

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
Basket = get_model("basket", "Basket")
ShippingAddress = get_model("order", "ShippingAddress")
BillingAddress = get_model("order", "BillingAddress")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
OrderPlacementMixin = get_class("checkout.mixins", "OrderPlacementMixin")
Repository = get_class("shipping.repository", "Repository")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
SurchargeApplicator = get_class("checkout.applicator", "SurchargeApplicator")
Applicator = get_class("offer.applicator", "Applicator")
Selector = get_class("partner.strategy", "Selector")

# Names of Oscar payment event types, as the dashboard shows them.
EVENT_PAID = "Paiement"
EVENT_REFUND = "Remboursement"
STRIPE_PLACING_EVENTS = frozenset(
    {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
)


class PaymentError(Exception):
    """A payment operation refused, with a message for the shop manager."""


class MalformedEvent(PaymentError):
    """A correctly signed Stripe event that does not say what a payment event must say."""


def cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


# A sum of money as a person types it: digits, and at most two decimals after "." or ",".
# Anything else (NaN, Infinity, exponents, signs, spaces inside) is not an amount.
_AMOUNT = re.compile(r"\d{1,9}(?:[.,]\d{1,2})?")


def parse_amount(text: str) -> Decimal:
    """A positive amount in euros from a form; PaymentError (a message for the shop manager)
    for anything else."""
    text = (text or "").strip()
    if not _AMOUNT.fullmatch(text):
        raise PaymentError(
            _("Invalid amount: type a sum in euros, e.g. 12,50 (at most two decimals).")
        )
    amount = Decimal(text.replace(",", "."))
    if amount <= 0:
        raise PaymentError(_("The amount to refund must be greater than zero."))
    return amount


# --- Card payments (Stripe Checkout) --------------------------------------------------------


def basket_fingerprint(basket, total: Decimal) -> str:
    """What the customer is asked to pay for: the frozen basket's lines (each with what it
    names: a photo, a crop, a session's extras, through Oscar's line reference), its vouchers
    and the total. A Checkout Session pays only the basket whose fingerprint it was made
    with; any change gives another."""
    lines = sorted(
        (
            line.pk, line.product_id, line.stockrecord_id, line.line_reference, line.quantity,
            str(line.line_price_incl_tax),
        )
        for line in basket.all_lines()
    )
    vouchers = sorted(basket.vouchers.values_list("pk", flat=True)) if basket.pk else []
    raw = repr((basket.id, lines, vouchers, str(total)))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def checkout_idempotency_key(basket, total: Decimal) -> str:
    """The same basket at the same total gives the same key (a double click, a retry: Stripe
    answers with the same session), until one of its sessions is expired, refunded or placed:
    then a new key, so that Stripe does not hand back a session that can no longer be paid."""
    closed = (
        StripeCheckout.objects.filter(basket_id=basket.id)
        .exclude(state=StripeCheckout.State.OPEN)
        .count()
    )
    return f"booke-checkout-{basket_fingerprint(basket, total)}-{closed}"


def _address_data(address) -> dict[str, Any] | None:
    if address is None:
        return None
    data = {}
    for field in type(address)._meta.concrete_fields:
        if field.attname in ("id", "search_text", "date_created"):
            continue
        value = getattr(address, field.attname)
        # phone numbers are PhoneNumber objects; the session stores them as strings too
        data[field.attname] = str(value) if value not in (None, "") else value
    return data


def start_card_checkout(
    *,
    order_number: str,
    basket,
    user,
    guest_email: str,
    shipping_address,
    billing_address,
    shipping_method_code: str,
    total,
    success_url: str,
    cancel_url: str,
) -> str:
    """Creates (or finds again) the Stripe Checkout Session of a frozen basket and remembers
    what is needed to place its order later. Returns the URL of Stripe's payment page."""
    amount = total.incl_tax
    key = checkout_idempotency_key(basket, amount)
    email = user.email if user.is_authenticated else guest_email
    params = {
        "mode": "payment",
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": order_number,
        "metadata": {"order_number": order_number, "basket_id": str(basket.id)},
        # One line for the whole order: what Stripe charges is exactly Oscar's total.
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": total.currency.lower(),
                    "unit_amount": cents(amount),
                    "product_data": {"name": f"Commande {order_number} — Booké"},
                },
            }
        ],
    }
    if email:
        params["customer_email"] = email
    session = gateway.create_checkout_session(params, idempotency_key=key)
    expire_open_sessions(basket_id=basket.id, keep=session["id"])
    StripeCheckout.objects.update_or_create(
        session_id=session["id"],
        defaults={
            "order_number": order_number,
            "basket_id": basket.id,
            "user": user if user.is_authenticated else None,
            "guest_email": "" if user.is_authenticated else guest_email,
            "shipping_address": _address_data(shipping_address),
            "billing_address": _address_data(billing_address),
            "shipping_method_code": shipping_method_code,
            "amount": amount,
            "currency": total.currency,
            "fingerprint": basket_fingerprint(basket, amount),
        },
    )
    return session["url"]


def expire_open_sessions(*, basket_id: int, keep: str | None = None) -> int:
    """Expires at Stripe the open Checkout Sessions of a basket (but `keep`): they must not be
    paid any more. One that cannot be expired (already paid, its event on its way) stays
    open: placing it checks that it still pays its basket. Returns how many were expired."""
    open_ones = StripeCheckout.objects.filter(
        basket_id=basket_id, state=StripeCheckout.State.OPEN, order__isnull=True
    )
    if keep:
        open_ones = open_ones.exclude(session_id=keep)
    expired = 0
    for checkout in open_ones:
        try:
            gateway.expire_checkout_session(checkout.session_id)
        except stripe.StripeError as error:
            logger.warning("Stripe session %s not expired: %s", checkout.session_id, error)
            continue
        StripeCheckout.objects.filter(pk=checkout.pk, state=StripeCheckout.State.OPEN).update(
            state=StripeCheckout.State.EXPIRED
        )
        expired += 1
    return expired


def card_checkout_cancelled(basket_id: int | None) -> None:
    """The customer came back from Stripe without paying: the session is over."""
    if basket_id:
        expire_open_sessions(basket_id=basket_id)


def basket_changed(basket_id: int | None) -> None:
    """A line was added, removed or changed, or a voucher applied: the sessions made for the
    basket as it was no longer pay it. Costs one query when there is none (the usual case)."""
    if basket_id and StripeCheckout.objects.filter(
        basket_id=basket_id, state=StripeCheckout.State.OPEN, order__isnull=True
    ).exists():
        expire_open_sessions(basket_id=basket_id)


class _OrderPlacer(OrderPlacementMixin):
    """Oscar's order placement (OrderCreator, addresses, payment details) without a request:
    the webhook that may place a card order has no customer's browser behind it."""

    request = None


def _checkout_basket(checkout: StripeCheckout) -> dict[str, Any] | None:
    """The basket of a checkout, priced as at placing, with what placing its order needs;
    None when it cannot be placed any more (basket gone or submitted, shipping method gone)."""
    return _placing(checkout.basket_id, checkout.user, checkout)


def _placing(basket_id: int, user, saved) -> dict[str, Any] | None:
    """What placing a basket kept for later needs (a card payment's, an order waiting for its
    approval): the basket priced for `user` as at placing, the addresses and shipping method
    `saved` recorded (its `shipping_address`, `billing_address`, `shipping_method_code`)."""
    checkout = saved
    basket = Basket._default_manager.filter(pk=basket_id).first()
    if basket is None or basket.status not in (Basket.OPEN, Basket.FROZEN):
        return None
    user = user or AnonymousUser()
    basket.strategy = Selector().strategy(user=user)
    Applicator().apply(basket, user, request=None)
    shipping_address = (
        ShippingAddress(**checkout.shipping_address) if checkout.shipping_address else None
    )
    billing_address = (
        BillingAddress(**checkout.billing_address) if checkout.billing_address else None
    )
    methods = Repository().get_shipping_methods(
        basket=basket, user=user, shipping_addr=shipping_address, request=None
    )
    method = next((m for m in methods if m.code == checkout.shipping_method_code), None)
    if method is None:
        return None
    charge = method.calculate(basket)
    surcharges = SurchargeApplicator(None, {}).get_applicable_surcharges(
        basket, shipping_charge=charge
    )
    total = OrderTotalCalculator(None).calculate(basket, charge, surcharges)
    return {
        "basket": basket, "user": user, "shipping_address": shipping_address,
        "billing_address": billing_address, "shipping_method": method,
        "shipping_charge": charge, "surcharges": surcharges, "order_total": total,
    }


def _stale_reason(checkout: StripeCheckout, placing: dict[str, Any] | None, paid: Decimal,
                  currency: str) -> str:
    """Why a paid session does not pay its basket as it is now ("" when it does)."""
    if placing is None or Order._default_manager.filter(number=checkout.order_number).exists():
        return _("The basket of this payment was ordered otherwise or no longer exists.")
    if currency != checkout.currency.upper() or cents(paid) != cents(checkout.amount):
        return _("Stripe received %(paid)s %(currency)s for a basket of %(amount)s %(ours)s.") % {
            "paid": paid, "currency": currency, "amount": checkout.amount,
            "ours": checkout.currency,
        }
    total = placing["order_total"].incl_tax
    changed = checkout.fingerprint and checkout.fingerprint != basket_fingerprint(
        placing["basket"], total
    )
    if changed or cents(total) != cents(checkout.amount):
        return _(
            "The basket changed after the payment started: it now totals %(total)s € "
            "instead of the %(amount)s € paid."
        ) % {"total": total, "amount": checkout.amount}
    return ""


def _refund_stale(checkout: StripeCheckout, paid: Decimal, reason: str) -> None:
    """A payment that does not pay its basket is given back in full at once; if Stripe
    refuses, it is held for the shop manager (never accepted as paying another basket)."""
    try:
        if not checkout.payment_intent:
            raise PaymentError(_("Stripe gave no payment to refund."))
        refund = gateway.create_refund(
            checkout.payment_intent, cents(paid), f"booke-stale-{checkout.session_id}"
        )
    except (stripe.StripeError, PaymentError) as error:
        logger.error("Stripe session %s: %s; refund failed: %s", checkout.session_id, reason,
                     error)
        checkout.state = StripeCheckout.State.HELD
        checkout.note = _("%(reason)s Automatic refund failed (%(error)s): refund it by hand.") % {
            "reason": reason, "error": error,
        }
    else:
        logger.warning("Stripe session %s: %s; refunded (%s)", checkout.session_id, reason,
                       refund.get("id"))
        checkout.state = StripeCheckout.State.REFUNDED
        checkout.note = _("%(reason)s Refunded in full (%(refund)s).") % {
            "reason": reason, "refund": refund.get("id", ""),
        }
    checkout.save(update_fields=["state", "note", "payment_intent"])


def _amount_of(stripe_session: dict[str, Any]) -> Decimal:
    amount = stripe_session.get("amount_total")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise MalformedEvent(_("The Checkout Session carries no valid amount."))
    return Decimal(amount) / 100


def place_paid_order(checkout_session_id: str, stripe_session: dict[str, Any] | None = None):
    """Places the order of a paid Checkout Session, once. Called by the webhook and by the
    return page, whichever comes first; the second gets the same order back.

    `stripe_session` is the session as a signed event carries it; without it, the session is
    read from Stripe. Returns None while the session is not paid, for a session that is not
    ours, and for one that does not pay its basket as it is now (refunded, or held)."""
    if stripe_session is None:
        stripe_session = gateway.retrieve_checkout_session(checkout_session_id)
    if stripe_session.get("payment_status") != "paid":
        return None
    paid = _amount_of(stripe_session)
    currency = str(stripe_session.get("currency") or "").upper()
    with transaction.atomic():
        checkout = (
            StripeCheckout.objects.select_for_update()
            .filter(session_id=checkout_session_id)
            .first()
        )
        if checkout is None:
            logger.warning("Stripe session %s is not one of ours: ignored", checkout_session_id)
            return None
        if checkout.order_id:
            return checkout.order
        if checkout.state in (StripeCheckout.State.REFUNDED, StripeCheckout.State.HELD):
            return None
        checkout.payment_intent = str(stripe_session.get("payment_intent") or "")
        placing = _checkout_basket(checkout)
        reason = _stale_reason(checkout, placing, paid, currency)
        if reason:
            _refund_stale(checkout, paid, reason)
            return None
        extra = {} if placing["user"].is_authenticated else {"guest_email": checkout.guest_email}
        order = _OrderPlacer().place_order(
            order_number=checkout.order_number, request=None, **placing, **extra
        )
        placing["basket"].submit()
        checkout.order = order
        checkout.placed_at = timezone.now()
        checkout.state = StripeCheckout.State.PLACED
        checkout.save(update_fields=["order", "placed_at", "payment_intent", "state"])
        OrderPayment.objects.create(order=order, method=PaymentMethod.CARD)
        # Placed already paid: the confirmation says so, no "payment received" follows.
        notifications.order_event(Event.ORDER_PLACED, order)
        mark_order_paid(
            order, method=PaymentMethod.CARD, amount=paid, currency=currency,
            reference=checkout.payment_intent, notify=False,
        )
    return order


def handle_stripe_event(event: dict[str, Any]) -> None:
    """A verified webhook event. Only paid Checkout Sessions matter; the rest is logged and
    acknowledged, so that Stripe does not send it again. MalformedEvent for a signed event
    that lacks what a payment event must carry."""
    kind = event.get("type")
    if not isinstance(kind, str):
        raise MalformedEvent(_("The Stripe event has no type."))
    if kind not in STRIPE_PLACING_EVENTS:
        logger.info("Stripe event %s (%s) acknowledged, nothing to do", event.get("id"), kind)
        return
    data = event.get("data")
    session = data.get("object") if isinstance(data, dict) else None
    if not isinstance(session, dict) or not isinstance(session.get("id"), str) or not (
        session["id"]
    ):
        raise MalformedEvent(_("The Stripe event carries no Checkout Session id."))
    if session.get("payment_status") != "paid":
        # e.g. a bank debit: completed now, paid later (async_payment_succeeded)
        logger.info("Stripe session %s completed, payment still pending", session["id"])
        return
    _amount_of(session)
    place_paid_order(session["id"], session)


# --- Orders placed unpaid (at the studio, on invoice) ------------------------------------------


def record_payment_method(
    order, method: str, *, po_number: str = "", company: Company | None = None
) -> None:
    """Called in the transaction that places the order."""
    OrderPayment.objects.create(order=order, method=method)
    if method == PaymentMethod.INVOICE:
        issue_invoice(order, po_number=po_number, company=company)
        transaction.on_commit(lambda: order_invoiced.send(sender=Order, order=order))


def _next_invoice_number(year: int) -> str:
    # The counter row is locked until the order's transaction ends; if it rolls back, the
    # number is given back. Created first without a lock so that two first invoices of a year
    # do not race on the insert.
    InvoiceCounter.objects.bulk_create([InvoiceCounter(year=year)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"FA-{year}-{counter.last:04d}"


def _buyer(order, company: Company | None) -> dict[str, str]:
    user = order.user
    contact = (user.get_full_name() or user.email) if user else order.guest_email
    if company:
        return {
            "name": company.legal_name or company.name,
            "address": company.address,
            "vat_number": company.vat_number,
            "siret": company.siret,
            "contact": contact,
        }
    address = order.billing_address or order.shipping_address
    lines = address.active_address_fields() if address else []
    return {
        "name": contact,
        "address": "\n".join(lines[1:] if lines and lines[0] == contact else lines),
        "vat_number": "",
        "siret": "",
        "contact": contact,
    }


def issue_invoice(
    order, *, po_number: str = "", company: Company | None = None, today: date | None = None
) -> Invoice:
    today = today or timezone.localdate()
    with transaction.atomic():
        return Invoice.objects.create(
            order=order,
            number=_next_invoice_number(today.year),
            issued_on=today,
            due_on=today + timedelta(days=settings.BOOKE_INVOICE_DUE_DAYS),
            po_number=po_number,
            company=company,
            seller=dict(settings.BOOKE_STUDIO),
            buyer=_buyer(order, company),
        )


# --- Paid ---------------------------------------------------------------------------------


def mark_order_paid(
    order,
    *,
    method: str,
    amount: Decimal | None = None,
    currency: str | None = None,
    reference: str = "",
    notify: bool = True,
) -> bool:
    """The one way an order becomes paid: records Oscar's payment source, transaction and
    payment event, moves the order to "paid", then (after commit) sends `order_paid` and, with
    `notify`, emits ORDER_PAID (the "payment received" email). A card order and a free one are
    paid as they are placed: their ORDER_PLACED confirmation says so, and they pass False.

    An order is paid only when the amount received equals its total, in its currency (None:
    the total, in the order's currency). Any other amount is recorded as received, the order
    waits "Paiement à vérifier" for the shop manager (accept_payment, a refund or a
    cancellation), and nothing is unlocked. Returns True when the order is now paid; False
    when it is flagged, or was not awaiting payment (already paid, cancelled): nothing is
    recorded twice."""
    with transaction.atomic():
        order = Order._default_manager.select_for_update().get(pk=order.pk)
        if order.status != settings.ORDER_AWAITING_PAYMENT:
            return False
        amount = order.total_incl_tax if amount is None else amount
        currency = (currency or order.currency).upper()
        matches = currency == order.currency.upper() and cents(amount) == cents(
            order.total_incl_tax
        )
        source_type, _created = SourceType.objects.get_or_create(name=SOURCE_TYPE_NAMES[method])
        source = Source.objects.create(
            order=order,
            source_type=source_type,
            currency=currency,
            amount_allocated=amount,
            reference=reference,
        )
        source.debit(amount, reference=reference, status="ok")
        event_type, _created = PaymentEventType.objects.get_or_create(name=EVENT_PAID)
        event = PaymentEvent.objects.create(
            order=order, event_type=event_type, amount=amount, reference=reference
        )
        if not matches:
            logger.error(
                "Order %s: received %s %s for a total of %s %s; held for the shop",
                order.number, amount, currency, order.total_incl_tax, order.currency,
            )
            order.set_status(settings.ORDER_PAYMENT_CHECK)
            OrderNote.objects.create(
                order=order,
                note_type="System",
                message=_(
                    "Received %(amount)s %(currency)s for a total of %(total)s %(ours)s: "
                    "the order is not paid and nothing is unlocked until the shop accepts "
                    "the payment, refunds it or cancels the order."
                ) % {
                    "amount": amount, "currency": currency, "total": order.total_incl_tax,
                    "ours": order.currency,
                },
            )
            return False
        for line in order.lines.all():
            PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)
        order.set_status(settings.ORDER_PAID)
        _order_became_paid(order, notify=notify)
    return True


def _order_became_paid(order, *, notify: bool) -> None:
    Invoice.objects.filter(order=order, paid_on__isnull=True).update(
        paid_on=timezone.localdate()
    )
    transaction.on_commit(lambda: order_paid.send(sender=Order, order=order))
    if notify:
        notifications.order_event(Event.ORDER_PAID, order)


def accept_payment(order, *, actor) -> bool:
    """The shop manager settled a payment that did not match its order (the rest received,
    a partial refund agreed...) and accepts it: the order is paid. False when the order was
    not waiting for that."""
    with transaction.atomic():
        order = Order._default_manager.select_for_update().get(pk=order.pk)
        if order.status != settings.ORDER_PAYMENT_CHECK:
            return False
        OrderNote.objects.create(
            order=order, user=actor, note_type="System",
            message=_("Payment accepted by the shop although it differed from the total."),
        )
        # The status change's receiver (payment_accepted) does the rest, as it does when the
        # dashboard's status form makes the same move.
        order.set_status(settings.ORDER_PAID)
    return True


def payment_accepted(order, old_status: str, new_status: str) -> None:
    """An order moved from "Paiement à vérifier" to "Payée" (accept_payment or the
    dashboard's status form): it is paid now, with what follows."""
    if old_status == settings.ORDER_PAYMENT_CHECK and new_status == settings.ORDER_PAID:
        _order_became_paid(order, notify=True)


def record_payment(order, *, reference: str = "", amount: Decimal | None = None) -> bool:
    """The shop manager received the money of an unpaid order (invoice, at the studio,
    transfer). Card orders are paid through Stripe, never recorded by hand."""
    method = selectors.payment_method_of(order) or PaymentMethod.STUDIO
    if method == PaymentMethod.CARD:
        raise PaymentError("Une commande payée par carte est encaissée par Stripe.")
    return mark_order_paid(order, method=method, amount=amount, reference=reference)


def order_shipped(order) -> None:
    """The order left the workshop (the dashboard's status change): the customer hears."""
    notifications.order_event(Event.ORDER_SHIPPED, order)


# --- Refunds -------------------------------------------------------------------------------


def refund_order(order, amount: Decimal) -> PaymentEvent:
    """Refunds (part of) a card order through Stripe and records it on the order. A second
    identical request (double click) reuses the idempotency key: Stripe answers with the same
    refund, which is recorded once."""
    if not amount.is_finite() or amount <= 0:
        raise PaymentError(_("The amount to refund must be greater than zero."))
    with transaction.atomic():
        order = Order._default_manager.select_for_update().get(pk=order.pk)
        checkout = StripeCheckout.objects.filter(order=order).first()
        card = SOURCE_TYPE_NAMES[PaymentMethod.CARD]
        source = order.sources.filter(source_type__name=card).first()
        if checkout is None or source is None or not checkout.payment_intent:
            raise PaymentError("Seules les commandes payées par carte se remboursent ici.")
        if amount > source.amount_available_for_refund:
            raise PaymentError(
                f"Au plus {source.amount_available_for_refund} € peuvent être remboursés."
            )
        key = (
            f"booke-refund-{order.number}-{cents(source.amount_refunded)}-{cents(amount)}"
        )
        refund = gateway.create_refund(checkout.payment_intent, cents(amount), key)
        existing = order.payment_events.filter(reference=refund["id"]).first()
        if existing:
            return existing
        refunded = Decimal(refund["amount"]) / 100
        source.refund(refunded, reference=refund["id"], status=refund.get("status", ""))
        event_type, _created = PaymentEventType.objects.get_or_create(name=EVENT_REFUND)
        event = PaymentEvent.objects.create(
            order=order, event_type=event_type, amount=refunded, reference=refund["id"]
        )
        if source.amount_available_for_refund <= 0 and (
            settings.ORDER_REFUNDED in order.available_statuses()
        ):
            order.set_status(settings.ORDER_REFUNDED)
    return event


# --- Reminders -----------------------------------------------------------------------------


def send_invoice_reminders(today: date | None = None) -> int:
    """Announces the unpaid invoices due within BOOKE_INVOICE_REMIND_BEFORE_DAYS (INVOICE_DUE)
    and those past due (INVOICE_OVERDUE), each once per invoice: the engine's rules send the
    emails. Safe to run twice, or in two processes at once. Returns how many were announced."""
    today = today or timezone.localdate()
    announced = 0
    for event, invoices in (
        (Event.INVOICE_DUE, selectors.invoices_due_soon(today)),
        (Event.INVOICE_OVERDUE, selectors.invoices_overdue(today)),
    ):
        for invoice in invoices:
            announced += _announce_invoice(invoice, event, today)
    return announced


def _announce_invoice(invoice: Invoice, event: Event, today: date) -> int:
    with transaction.atomic():
        # The invoice's lock makes a second run wait, then find the event and stop.
        Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
        subject = notifications.order_subject(invoice.order)
        if SessionEvent.objects.filter(name=event, subject=subject).exists():
            return 0
        notifications.order_event(
            event, invoice.order, invoice=invoice.number, due_date=invoice.due_on.isoformat()
        )
        Invoice.objects.filter(pk=invoice.pk).update(last_reminder_on=today)
    return 1


# --- Orders waiting for a company's approver ----------------------------------------------------


class ApprovalError(PaymentError):
    """An approval or refusal refused, with a message for the approver."""


def request_approval(
    *,
    user,
    company: Company,
    basket,
    order_number: str,
    po_number: str,
    shipping_address,
    billing_address,
    shipping_method_code: str,
    total,
) -> OrderApproval:
    """A member's order on invoice above the company's threshold is not placed: its frozen
    basket waits, with what placing it needs, for an approver (told by the ORDER_APPROVAL_
    REQUESTED rule). The caller checked `selectors.needs_approval`."""
    amount = total.incl_tax
    with transaction.atomic():
        approval = OrderApproval.objects.create(
            company=company,
            requester=user,
            basket_id=basket.id,
            order_number=order_number,
            po_number=po_number,
            shipping_address=_address_data(shipping_address),
            billing_address=_address_data(billing_address),
            shipping_method_code=shipping_method_code,
            amount=amount,
            currency=total.currency,
            fingerprint=basket_fingerprint(basket, amount),
        )
        _approval_event(Event.ORDER_APPROVAL_REQUESTED, approval, actor=user)
    return approval


def _approval_event(event: Event, approval: OrderApproval, *, actor, **payload: Any) -> None:
    booker_services.emit_event(
        event, subject=notifications.approval_subject(approval), user=approval.requester,
        actor=actor, company=approval.company_id, order_number=approval.order_number,
        total=str(approval.amount), **payload,
    )


def _locked_pending(approval: OrderApproval, actor) -> OrderApproval:
    approval = OrderApproval.objects.select_for_update().get(pk=approval.pk)
    if approval.state != OrderApproval.State.PENDING:
        raise ApprovalError(_("This order was already decided."))
    if not selectors.may_decide_approval(actor, approval):
        raise ApprovalError(_("Only an approver of the company decides on its orders."))
    return approval


def approve_order(approval: OrderApproval, *, actor, now=None):
    """An approver of the company approves: the order is placed on invoice, with the
    requester as its customer and the PO number given at checkout. A basket that no longer
    totals what was asked (a price moved, a line is unavailable) is not placed: the approval
    lapses and the basket goes back to the requester (ApprovalError says so)."""
    with transaction.atomic():
        approval = _locked_pending(approval, actor)
        placing = _placing(approval.basket_id, approval.requester, approval)
        reason = ""
        if approval.company_id not in {
            c.pk for c in selectors.invoice_companies(approval.requester)
        }:
            # Removed from the company meanwhile, or the company no longer pays on invoice.
            reason = _("Its requester can no longer order on invoice for the company.")
        elif placing is None or Order._default_manager.filter(
            number=approval.order_number
        ).exists():
            reason = _("The basket can no longer be ordered as it was.")
        else:
            total = placing["order_total"].incl_tax
            if cents(total) != cents(approval.amount) or (
                approval.fingerprint
                and approval.fingerprint != basket_fingerprint(placing["basket"], total)
            ):
                reason = _(
                    "The basket now totals %(total)s € instead of the %(amount)s € asked."
                ) % {"total": _french(total), "amount": _french(approval.amount)}
        if not reason:
            order = _OrderPlacer().place_order(
                order_number=approval.order_number, request=None, **placing
            )
            placing["basket"].submit()
            record_payment_method(
                order, PaymentMethod.INVOICE, po_number=approval.po_number,
                company=approval.company,
            )
            approval.order = order
            approval.state = OrderApproval.State.APPROVED
            approval.decided_by = actor
            approval.decided_at = now or timezone.now()
            approval.save(update_fields=["order", "state", "decided_by", "decided_at"])
            notifications.order_event(Event.ORDER_PLACED, order, actor=actor)
            _approval_event(Event.ORDER_APPROVED, approval, actor=actor)
            return order
        # Nothing placed: the lapse is recorded, the member hears why and gets the basket.
        _give_back(approval, state=OrderApproval.State.STALE, actor=actor, reason=reason,
                   now=now)
        _approval_event(Event.ORDER_APPROVAL_REFUSED, approval, actor=actor, reason=reason)
    raise ApprovalError(reason + " " + _("The basket was given back to its requester."))


def _french(amount: Decimal) -> str:
    """An amount as a French reader reads it in a message ("90,00")."""
    return number_format(amount, 2, use_l10n=True)


def refuse_order(approval: OrderApproval, *, actor, reason: str, now=None) -> None:
    """An approver refuses, saying why: nothing is placed, the basket goes back to the
    member who filled it (they hear why)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApprovalError(_("Say why the order is refused."))
    with transaction.atomic():
        approval = _locked_pending(approval, actor)
        _give_back(approval, state=OrderApproval.State.REFUSED, actor=actor, reason=reason,
                   now=now)
        _approval_event(Event.ORDER_APPROVAL_REFUSED, approval, actor=actor, reason=reason)


def withdraw_approval(approval: OrderApproval, *, actor, now=None) -> None:
    """The member who asked takes the order back before anyone decided (to change it, or
    because it is no longer needed): nothing is placed, the basket is theirs again."""
    with transaction.atomic():
        approval = OrderApproval.objects.select_for_update().get(pk=approval.pk)
        if approval.requester_id != getattr(actor, "pk", None):
            raise ApprovalError(_("Only the member who ordered withdraws the order."))
        if approval.state != OrderApproval.State.PENDING:
            raise ApprovalError(_("This order was already decided."))
        _give_back(approval, state=OrderApproval.State.WITHDRAWN, actor=actor, reason="",
                   now=now)


def _give_back(approval: OrderApproval, *, state: str, actor, reason: str, now=None) -> None:
    with transaction.atomic():
        OrderApproval.objects.filter(pk=approval.pk, state=OrderApproval.State.PENDING).update(
            state=state, decided_by=actor, decided_at=now or timezone.now(), reason=reason
        )
        approval.state, approval.reason = state, reason
        basket = Basket._default_manager.filter(
            pk=approval.basket_id, status=Basket.FROZEN
        ).first()
        if basket is not None:
            # Open again: Oscar's basket middleware merges it into the member's open basket
            # at their next request.
            basket.thaw()


# --- Credit notes ------------------------------------------------------------------------------


def _next_credit_note_number(year: int) -> str:
    # As invoices: a counter row locked until the transaction ends, so no gaps.
    CreditNoteCounter.objects.bulk_create([CreditNoteCounter(year=year)],
                                          ignore_conflicts=True)
    counter = CreditNoteCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"AV-{year}-{counter.last:04d}"


def issue_credit_note(
    invoice: Invoice, amount: Decimal | None, *, reason: str, today: date | None = None
) -> CreditNote | None:
    """Cancels `amount` (None: all that is left) of `invoice` with a credit note, never more
    than the invoice's total less its earlier credit notes. None when nothing is left to
    cancel (the same cancellation heard twice issues one note)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("order").get(pk=invoice.pk)
        left = selectors.invoice_balance(invoice)
        amount = left if amount is None else min(amount, left)
        if amount <= 0:
            return None
        note = CreditNote.objects.create(
            number=_next_credit_note_number(today.year),
            invoice=invoice,
            amount=amount,
            reason=reason[:255],
            issued_on=today,
            seller=invoice.seller,
            buyer=invoice.buyer,
        )
        notifications.order_event(
            Event.CREDIT_NOTE_ISSUED, invoice.order, company=invoice.company_id,
            credit_note=note.number, invoice=invoice.number, amount=str(amount), reason=reason,
        )
    return note


def order_cancelled_or_refunded(order, old_status: str, new_status: str) -> CreditNote | None:
    """The dashboard cancelled or refunded an order placed on invoice: a credit note cancels
    what is left of its invoice. An unpaid deposit invoice cancelled this way leaves no
    booking confirmed on it (`order_invoice_cancelled`, shop.deposits)."""
    if new_status not in (settings.ORDER_CANCELLED, settings.ORDER_REFUNDED):
        return None
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        return None
    reason = (_("Order %(number)s cancelled.") if new_status == settings.ORDER_CANCELLED
              else _("Order %(number)s refunded.")) % {"number": order.number}
    note = issue_credit_note(invoice, None, reason=reason)
    if old_status == settings.ORDER_AWAITING_PAYMENT and invoice.paid_on is None:
        transaction.on_commit(lambda: order_invoice_cancelled.send(sender=Order, order=order))
    return note
