"""Reads for booking deposits: the deposit product, the booking a basket or order line names,
what such a line may charge now (the Booker's rule: booker.selectors.deposit_payable), and the
orders that paid a booking's deposit."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from oscar.core.loading import get_model

from booker import selectors as booker_selectors
from booker.models import Booking
from shop.catalogue.product_classes import DEPOSIT, DEPOSIT_UPC
from shop.payments.models import PaymentMethod

Product = get_model("catalogue", "Product")
OrderLine = get_model("order", "Line")

# The code of the Oscar Option that carries the booking's token on a deposit line
# (created by migrations/0001_deposit_product.py).
RESERVATION = "reservation"


def deposit_product() -> Product | None:
    """The "Acompte de séance" product, whose lines each carry one booking."""
    return Product.objects.filter(upc=DEPOSIT_UPC).first()


def is_deposit_product(product) -> bool:
    """Whether `product` is the deposit product, which only shop.deposits.services puts in a
    basket (its line names the booking)."""
    product_class = product.get_product_class() if product is not None else None
    return product_class is not None and product_class.slug == DEPOSIT.slug


def token_of_line(line) -> str | None:
    """The booking token a deposit line carries; None for any other line."""
    if not line.pk or not is_deposit_product(line.product):
        return None
    for attribute in line.attributes.all():
        if attribute.option_id and attribute.option.code == RESERVATION:
            return str(attribute.value or "") or None
    return None


def booking_of_line(line) -> Booking | None:
    token = token_of_line(line)
    return Booking.objects.filter(token=token).first() if token else None


def is_deposit_line(line) -> bool:
    return line.product_id is not None and is_deposit_product(line.product)


def deposit_line_price(line) -> Decimal | None:
    """What a deposit line may charge now, incl. VAT: the booking's deposit still due while
    the Booker says it is payable; None when nothing is payable (the booking was cancelled or
    declined, waits for the studio's approval, is paid already, or the line names no
    booking)."""
    booking = booking_of_line(line)
    if booking is None:
        return None
    return booker_selectors.deposit_payable(booking.pk)


def deposit_order_lines(token: str) -> QuerySet:
    """The order lines that are deposits of the booking `token`, oldest first, with their
    order (and its payment method)."""
    return (
        OrderLine.objects.filter(
            product__upc=DEPOSIT_UPC,
            attributes__option__code=RESERVATION,
            attributes__value=token,
        )
        .select_related("order", "order__payment_choice")
        .order_by("order__date_placed", "pk")
        .distinct()
    )


def paid_statuses() -> tuple[str, ...]:
    """Order statuses that mean the money is in (shop.payments' pipeline)."""
    return (
        settings.ORDER_PAID, settings.ORDER_PREPARING, settings.ORDER_SHIPPED,
        settings.ORDER_DONE,
    )


def paid_into_booking(booking: Booking, order) -> bool:
    """Whether the Booker kept `order`'s payment for the booking (booker.services.booking_paid
    answered True): money it did not keep was refunded when it came."""
    reference = f"order {order.number}"
    return any(
        isinstance(payment, dict) and payment.get("reference") == reference
        and payment.get("kept")
        for payment in booking.deposit_references or []
    )


def payment_methods(basket, methods: list[PaymentMethod]) -> list[PaymentMethod]:
    """The methods a basket may be paid with, of `methods` (shop.payments' for the customer):
    one holding a booking's deposit is paid by card or, for a company, on invoice — never "at
    the studio", which would place an unpaid order while the slot's hold runs out."""
    if not any(is_deposit_line(line) for line in basket.all_lines()):
        return methods
    return [method for method in methods if method != PaymentMethod.STUDIO]


def invoice_companies(basket, companies: list) -> list:
    """The companies a basket may be invoiced to, of `companies` (the customer's): a company's
    booking deposit goes on that company's invoice only, a private booking's on none (the
    client pays it, by card or on their own invoice)."""
    bookings = [booking for line in basket.all_lines() if is_deposit_line(line)
                for booking in [booking_of_line(line)] if booking is not None]
    if not bookings:
        return companies
    allowed = {booking.company_id for booking in bookings}
    if None in allowed or len(allowed) > 1:
        return []
    return [company for company in companies if company.pk in allowed]


def company_deposit_order_ids(company_id: int) -> QuerySet:
    """The ids of the orders holding a deposit of one of the company's bookings (what its
    members paid by card for it)."""
    # A list, not a subquery: the line's value is JSON, compared with each token encoded.
    tokens = list(Booking.objects.filter(company_id=company_id).values_list("token", flat=True))
    return (
        OrderLine.objects.filter(
            product__upc=DEPOSIT_UPC,
            attributes__option__code=RESERVATION,
            attributes__value__in=tokens,
        )
        .values("order_id")
        .distinct()
    )
