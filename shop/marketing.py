"""The shop's conditions for the Booker's segments (booker/marketing/conditions.py): who bought
what. Registered at start-up (shop.personal's AppConfig.ready): the Booker never reads Oscar."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from booker.marketing import conditions
from booker.marketing.conditions import ConditionKind, Matches, Params, Recipient
from booker.models import normalise_email
from shop.catalogue.product_classes import PRINT
from shop.personal.selectors import paid_statuses

Order = get_model("order", "Order")


def print_buyers(params: Params) -> Matches:
    """People with a paid order holding a print (a variant of a print parent, or a print
    product itself), since `date` if given."""
    is_print = (Q(lines__product__product_class__slug=PRINT.slug)
                | Q(lines__product__parent__product_class__slug=PRINT.slug))
    orders = Order.objects.filter(is_print, status__in=paid_statuses())
    if params.date:
        orders = orders.filter(date_placed__date__gte=params.date)
    found: Matches = {}
    for order in orders.select_related("user").distinct().order_by("date_placed", "pk"):
        if order.user is not None and order.user.email and order.user.is_active:
            found.setdefault(normalise_email(order.user.email), conditions.person(order.user))
        elif order.guest_email:
            email = normalise_email(order.guest_email)
            found.setdefault(email, Recipient(email))
    return found


def register() -> None:
    conditions.register(ConditionKind(
        "bought_print", _("Bought a print"), ("date",), (), print_buyers,
        _("Date (optional): bought since then. A paid order holding a print.")))
