"""The shop's emails to customers, behind one function: the CRM will route them through its
automation engine later by changing this module only.

Kinds: "confirmation" (order placed), "payment_received", "shipped", "invoice_due"."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from oscar.core.loading import get_model

from booker.mail import absolute_url, templated_email

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")

KINDS = ("confirmation", "payment_received", "shipped", "invoice_due")


def _order_link(order) -> str:
    if order.user_id:
        return absolute_url(reverse("customer:order", kwargs={"order_number": order.number}))
    return absolute_url(
        reverse(
            "customer:anon-order",
            kwargs={"order_number": order.number, "hash": order.verification_hash()},
        )
    )


def _recipients(order) -> list[str]:
    email = order.email
    to = [email] if email else []
    invoice = getattr(order, "invoice", None)
    # Invoices also go to the company's accounts department.
    if invoice is not None and invoice.company_id and invoice.company.billing_email:
        if invoice.company.billing_email not in to:
            to.append(invoice.company.billing_email)
    return to


def send_order_email(order, kind: str) -> int:
    """Sends the `kind` email about `order` (text and HTML, French). Returns 1 if sent."""
    if kind not in KINDS:
        raise ValueError(f"unknown order email {kind!r}")
    to = _recipients(order)
    if not to:
        logger.warning("Order %s: no address for the %s email", order.number, kind)
        return 0
    invoice = getattr(order, "invoice", None)
    context = {
        "order": order,
        "lines": order.lines.all(),
        "invoice": invoice,
        "link": _order_link(order),
        "studio": settings.BOOKE_STUDIO,
        "awaiting_payment": order.status == settings.ORDER_AWAITING_PAYMENT,
    }
    return templated_email(f"shop/email/{kind}", context, to).send()


def send_on_commit(order, kind: str) -> None:
    """Sends once the transaction that changed the order has committed, reading it afresh, so
    that no email announces what a rollback undid."""
    pk = order.pk

    def send() -> None:
        send_order_email(Order._default_manager.get(pk=pk), kind)

    transaction.on_commit(send)
