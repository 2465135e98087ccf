"""The shop's sections of a person's data export (booker.people.personal_data, issue 21),
registered by PaymentsConfig.ready since the Booker may not import the shop: their orders
(lines, amounts, addresses, invoice and credit notes), saved addresses, reviews, wish lists,
the company orders they asked an approver for, and whether they may pay on invoice. Each
reads in a fixed number of queries, whatever the number of orders.

Never exported: a line's options (a deposit line carries its booking's token), a wish list's
sharing key, Stripe's identifiers.

Each section comes with its `erase` (the right to be forgotten): orders and invoices stay for
their legal period with the minimum, the rest goes."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from booker.people import personal_data
from booker.people.models import User
from shop.payments.models import (
    CreditNote,
    Invoice,
    InvoiceApproval,
    OrderApproval,
    StripeCheckout,
)

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")
ProductReview = get_model("reviews", "ProductReview")
Vote = get_model("reviews", "Vote")
WishList = get_model("wishlists", "WishList")
Email = get_model("communication", "Email")
Notification = get_model("communication", "Notification")
ProductAlert = get_model("customer", "ProductAlert")
UserProductView = get_model("analytics", "UserProductView")
UserSearch = get_model("analytics", "UserSearch")
UserRecord = get_model("analytics", "UserRecord")
Bankcard = get_model("payment", "Bankcard")

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


def activity(user: User) -> dict[str, list[dict[str, Any]]]:
    """What Oscar noted of them beside their orders: the shop's emails to them, their stock
    alerts, the products they viewed and what they searched for."""
    return {
        "emails": [{"subject": e.subject, "sent_at": e.date_sent}
                   for e in Email.objects.filter(user=user).order_by("pk")],
        "stock_alerts": [{"product_id": a.product_id, "status": a.status,
                          "created_at": a.date_created}
                         for a in ProductAlert.objects.filter(
                             Q(user=user) | Q(email__iexact=user.email)).order_by("pk")],
        "products_viewed": [{"product_id": v.product_id, "at": v.date_created}
                            for v in UserProductView.objects.filter(user=user).order_by("pk")],
        "searches": [{"query": q.query, "at": q.date_created}
                     for q in UserSearch.objects.filter(user=user).order_by("pk")],
    }


# --- Erasure ----------------------------------------------------------------------------------
# Orders and their invoices are accounting documents, kept 10 years (Code de commerce,
# L123-22): they stay, with the buyer's name and address the invoice must show, and lose the
# account link, the email, the phone and the delivery notes.


def _without_contact(buyer: dict, email: str) -> dict:
    """An invoice's buyer as the law asks for it: name and address, no contact person or
    email (a client without a name was named by their email: that goes too)."""
    kept = dict(buyer)
    kept["contact"] = ""
    if email and email.lower() in str(kept.get("name", "")).lower():
        kept["name"] = "—"
    return kept


def erase_orders(user: User) -> int:
    found = Order.objects.filter(Q(user=user) | Q(guest_email__iexact=user.email))
    order_ids = list(found.values_list("pk", flat=True))
    shipping_ids = [pk for pk in found.values_list("shipping_address_id", flat=True) if pk]
    ShippingAddress.objects.filter(pk__in=shipping_ids).update(phone_number="", notes="")
    for model, lookup in ((Invoice, "order_id__in"), (CreditNote, "invoice__order_id__in")):
        documents = list(model.objects.filter(**{lookup: order_ids}).only("pk", "buyer"))
        for document in documents:
            document.buyer = _without_contact(document.buyer, user.email)
        model.objects.bulk_update(documents, ["buyer"])
    StripeCheckout.objects.filter(Q(user=user) | Q(guest_email__iexact=user.email)).update(
        user=None, guest_email="")
    return Order.objects.filter(pk__in=order_ids).update(user=None, guest_email="")


def erase_addresses(user: User) -> int:
    deleted, _by_model = UserAddress.objects.filter(user=user).delete()
    return deleted


def erase_reviews(user: User) -> int:
    Vote.objects.filter(user=user).delete()
    deleted, _by_model = ProductReview.objects.filter(user=user).delete()
    return deleted


def erase_wish_lists(user: User) -> int:
    deleted, _by_model = WishList.objects.filter(owner=user).delete()
    return deleted


def erase_order_approvals(user: User) -> int:
    """The company's record of who asked for what stays the company's (the requester is the
    anonymised account), without the phone and delivery notes typed with it."""
    approvals = list(OrderApproval.objects.filter(requester=user)
                     .only("pk", "shipping_address", "billing_address"))
    for approval in approvals:
        for field in ("shipping_address", "billing_address"):
            address = getattr(approval, field)
            if isinstance(address, dict):
                setattr(approval, field, {k: ("" if k in ("phone_number", "notes") else v)
                                          for k, v in address.items()})
    OrderApproval.objects.bulk_update(approvals, ["shipping_address", "billing_address"])
    return len(approvals)


def erase_pays_on_invoice(user: User) -> int:
    deleted, _by_model = InvoiceApproval.objects.filter(user=user).delete()
    return deleted


def erase_activity(user: User) -> int:
    deleted = 0
    for found in (Email.objects.filter(user=user),
                  ProductAlert.objects.filter(Q(user=user) | Q(email__iexact=user.email)),
                  UserProductView.objects.filter(user=user),
                  UserSearch.objects.filter(user=user),
                  UserRecord.objects.filter(user=user),
                  Notification.objects.filter(recipient=user),
                  Bankcard.objects.filter(user=user)):
        count, _by_model = found.delete()
        deleted += count
    return deleted


SECTIONS = {
    "shop_orders": (orders, erase_orders, _(
        "Orders and invoices (kept 10 years with the name and address the invoice needs; "
        "email, phone and account link removed)")),
    "shop_addresses": (addresses, erase_addresses, _("Saved addresses")),
    "shop_reviews": (reviews, erase_reviews, _("Product reviews")),
    "shop_wish_lists": (wish_lists, erase_wish_lists, _("Wish lists")),
    "shop_order_approvals": (order_approvals, erase_order_approvals,
                             _("Company orders asked for approval (kept for the company)")),
    "shop_pays_on_invoice": (pays_on_invoice, erase_pays_on_invoice,
                             _("Payment on invoice allowed")),
    "shop_activity": (activity, erase_activity,
                      _("Shop emails, stock alerts, products viewed, searches")),
}


# --- A company's part (booker.company_privacy: a company's erasure) -----------------------------


def company_invoices(company) -> list[dict[str, Any]]:
    found = (Invoice.objects.filter(company=company).select_related("order")
             .prefetch_related("credit_notes").order_by("issued_on", "pk"))
    return [{"order_number": invoice.order.number, "buyer": invoice.buyer,
             **_invoice(invoice.order)} for invoice in found]


def erase_company_invoices(company) -> int:
    """Its invoices and credit notes stay for their legal period (10 years) with what they
    must show: the legal name, address, SIRET and VAT number; the contact person goes, and
    the phone and delivery notes of the orders they invoice, and of its orders waiting for
    approval."""
    invoices = Invoice.objects.filter(company=company)
    count = 0
    for model, found in ((Invoice, invoices),
                         (CreditNote, CreditNote.objects.filter(invoice__in=invoices))):
        documents = list(found.only("pk", "buyer"))
        for document in documents:
            document.buyer = {**document.buyer, "contact": ""}
        model.objects.bulk_update(documents, ["buyer"])
        count += len(documents)
    shipping_ids = [pk for pk in invoices.values_list("order__shipping_address_id", flat=True)
                    if pk]
    ShippingAddress.objects.filter(pk__in=shipping_ids).update(phone_number="", notes="")
    approvals = list(OrderApproval.objects.filter(company=company)
                     .only("pk", "shipping_address", "billing_address"))
    for approval in approvals:
        for field in ("shipping_address", "billing_address"):
            address = getattr(approval, field)
            if isinstance(address, dict):
                setattr(approval, field, {k: ("" if k in ("phone_number", "notes") else v)
                                          for k, v in address.items()})
    OrderApproval.objects.bulk_update(approvals, ["shipping_address", "billing_address"])
    return count + len(approvals)


def register() -> None:
    for name, (fn, erase, label) in SECTIONS.items():
        personal_data.register(name, fn, erase, label)
    personal_data.register_company(
        "shop_invoices", company_invoices, erase_company_invoices,
        _("Invoices and credit notes (kept 10 years with the legal name, address, SIRET and "
          "VAT number; the contact person removed)"))
