"""Reads of the basket that need less than Oscar's whole basket."""

from __future__ import annotations

from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.db.models import Sum
from django.http import HttpRequest
from oscar.core.loading import get_model

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")


def open_basket_count(request: HttpRequest) -> int:
    """The items in the visitor's open basket, for the header's "Panier": one query (none for
    an anonymous visitor without a basket). Reading `request.basket` instead makes Oscar's
    middleware load the basket and apply the offers to it, a dozen queries. A logged-in person
    who still holds an anonymous basket's cookie gets Oscar's way, which merges it into theirs."""
    user = request.user
    cookie = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN, "")
    if user.is_authenticated:
        if cookie:
            return request.basket.num_items
        lines = Line.objects.filter(basket__owner=user, basket__status=Basket.OPEN)
    else:
        if not cookie:
            return 0
        try:
            basket_id = Signer().unsign(cookie)
        except BadSignature:
            return 0
        lines = Line.objects.filter(basket_id=basket_id, basket__owner=None,
                                    basket__status=Basket.OPEN)
    return lines.aggregate(items=Sum("quantity"))["items"] or 0
