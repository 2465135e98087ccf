"""The shop's sections of a person's data export (booker.people.personal_data, issue 21),
registered by PaymentsConfig.ready since the Booker may not import the shop: their orders
(lines, amounts, addresses, invoice and credit notes), saved addresses, reviews, wish lists,
the company orders they asked an approver for, and whether they may pay on invoice. Each
reads in a fixed number of queries, whatever the number of orders.

Never exported: a line's options (a deposit line carries its booking's token), a wish list's
sharing key, Stripe's identifiers."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from oscar.core.loading import get_model

from booker.people import personal_data
from booker.people.models import User
from shop.payments.models import InvoiceApproval, OrderApproval

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
ProductReview = get_model("reviews", "ProductReview")
WishList = get_model("wishlists", "WishList")

ADDRESS_FIELDS = ("title", "first_name", "last_name", "line1", "line2", "line3", "line4",
                  "state", "postcode")


def _address(address) -> dict[str, Any] | None:
    if address is None:
        return None
    data: dict[str, Any] = {name: getattr(address, name) for name in ADDRESS_FIELDS}
    # The country's primary key is its ISO 3166-1 code: no query to read it.
    data["country"] = address.country_id
    if hasattr(address, "phone_number"):
        data["phone_number"] = str(address.phone_number or "")
    if hasattr(address, "notes"):
        data["notes"] = address.notes
    return data


def _invoice(order) -> dict[str, Any] | None:
    invoice = getattr(order, "invoice", None)
    if invoice is None:
        return None
    return {
        "number": invoice.number,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "paid_on": invoice.paid_on,
        "purchase_order": invoice.po_number,
        "amount_incl_tax": order.total_incl_tax,
        "credit_notes": [
            {"number": note.number, "amount_incl_tax": note.amount, "reason": note.reason,
             "issued_on": note.issued_on}
            for note in invoice.credit_notes.all()
        ],
    }


def orders(user: User) -> list[dict[str, Any]]:
    """Their orders, and those placed as a guest with their email."""
    found = (
        Order.objects.filter(Q(user=user) | Q(guest_email__iexact=user.email))
        .select_related("shipping_address", "billing_address", "invoice", "payment_choice")
        .prefetch_related("lines", "invoice__credit_notes")
        .order_by("date_placed", "pk")
    )
    result = []
    for order in found:
        payment = getattr(order, "payment_choice", None)
        result.append({
            "number": order.number,
            "placed_at": order.date_placed,
            "status": order.status,
            "currency": order.currency,
            "total_incl_tax": order.total_incl_tax,
            "total_excl_tax": order.total_excl_tax,
            "shipping_incl_tax": order.shipping_incl_tax,
            "shipping_method": order.shipping_method,
            "tracking_number": order.tracking_number,
            "guest_email": order.guest_email,
            "payment_method": payment.method if payment is not None else None,
            "shipping_address": _address(order.shipping_address),
            "billing_address": _address(order.billing_address),
            "lines": [
                {"title": line.title, "quantity": line.quantity,
                 "price_incl_tax": line.line_price_incl_tax, "status": line.status}
                for line in order.lines.all()
            ],
            "invoice": _invoice(order),
        })
    return result


def addresses(user: User) -> list[dict[str, Any]]:
    return [
        {
            **_address(address),
            "default_for_shipping": address.is_default_for_shipping,
            "default_for_billing": address.is_default_for_billing,
            "created_at": address.date_created,
        }
        for address in UserAddress.objects.filter(user=user).order_by("pk")
    ]


def reviews(user: User) -> list[dict[str, Any]]:
    found = ProductReview.objects.filter(user=user).select_related("product__parent").order_by("pk")
    return [
        {
            "product": review.product.get_title() if review.product_id else None,
            "score": review.score,
            "title": review.title,
            "body": review.body,
            "status": review.get_status_display(),
            "created_at": review.date_created,
        }
        for review in found
    ]


def wish_lists(user: User) -> list[dict[str, Any]]:
    found = WishList.objects.filter(owner=user).prefetch_related("lines").order_by("pk")
    return [
        {
            # Never the key: it is the address that shares the list.
            "name": wish_list.name,
            "visibility": wish_list.visibility,
            "created_at": wish_list.date_created,
            "lines": [{"title": line.title, "quantity": line.quantity}
                      for line in wish_list.lines.all()],
        }
        for wish_list in found
    ]


def order_approvals(user: User) -> list[dict[str, Any]]:
    """The company orders they asked an approver for, and what became of each."""
    found = (OrderApproval.objects.filter(requester=user).select_related("company")
             .order_by("requested_at", "pk"))
    return [
        {
            "company": approval.company.name,
            "order_number": approval.order_number,
            "purchase_order": approval.po_number,
            "amount_incl_tax": approval.amount,
            "currency": approval.currency,
            "state": approval.state,
            "shipping_address": approval.shipping_address,
            "billing_address": approval.billing_address,
            "requested_at": approval.requested_at,
            "decided_at": approval.decided_at,
            "reason": approval.reason,
        }
        for approval in found
    ]


def pays_on_invoice(user: User) -> dict[str, Any] | None:
    """Whether the studio allowed them (a private client) to pay on invoice, since when."""
    approval = InvoiceApproval.objects.filter(user=user).first()
    if approval is None:
        return None
    return {"approved_at": approval.approved_at, "note": approval.note}


SECTIONS = {
    "shop_orders": orders,
    "shop_addresses": addresses,
    "shop_reviews": reviews,
    "shop_wish_lists": wish_lists,
    "shop_order_approvals": order_approvals,
    "shop_pays_on_invoice": pays_on_invoice,
}


def register() -> None:
    for name, fn in SECTIONS.items():
        personal_data.register(name, fn)
