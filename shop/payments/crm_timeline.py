"""The shop's entries on a contact's timeline in the studio's CRM (booker.crm.timeline,
registered by PaymentsConfig.ready): the person's orders (number, status, total, linked to
the dashboard) and the product reviews they wrote. A company's contact gets the orders its
members placed on invoice to it."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from oscar.core.loading import get_model

from booker.crm import timeline
from booker.models import Contact
from booker.money import euros

Order = get_model("order", "Order")
ProductReview = get_model("reviews", "ProductReview")


def orders(contact: Contact) -> list[timeline.Entry]:
    if contact.user_id:
        mine = Q(user_id=contact.user_id)
    elif contact.company_id:
        mine = Q(invoice__company_id=contact.company_id)
    else:
        return []
    rows = Order.objects.filter(mine).distinct().order_by("-date_placed")[:timeline.PER_SOURCE]
    return [timeline.Entry(
        order.date_placed, timeline.ORDER,
        gettext("Order %(number)s") % {"number": order.number},
        f"{order.status} — {euros(order.total_incl_tax)}",
        url=reverse("dashboard:order-detail", kwargs={"number": order.number}),
    ) for order in rows]


def reviews(contact: Contact) -> list[timeline.Entry]:
    if not contact.user_id:
        return []
    rows = (ProductReview.objects.filter(user_id=contact.user_id).select_related("product")
            .order_by("-date_created")[:timeline.PER_SOURCE])
    return [timeline.Entry(
        review.date_created, timeline.ORDER, gettext("Review written"),
        f"{review.product} — {review.score}/5 — {review.title}",
    ) for review in rows]


def register() -> None:
    timeline.register(orders)
    timeline.register(reviews)
