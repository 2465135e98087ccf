"""Helpers for the personal-print and extras tests: the client's basket as the shop sees it,
and an order placed from it (Oscar's own OrderCreator; the checkout is not what is tested)."""

from __future__ import annotations

from django.conf import settings
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_order

from shop.demo import print_upc
from shop.payments.signals import order_paid

Basket = get_model("basket", "Basket")
Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")


def basket_of(user) -> Basket:
    basket, _ = Basket.open.get_or_create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    return basket


def variant(size: str = "20x30", paper: str = "lustre") -> Product:
    return Product.objects.get(upc=print_upc(size, paper))


def place_order(user, *, paid: bool = True):
    """An order of the user's basket; `paid` marks it paid and sends `order_paid` as the
    payments app does."""
    order = create_order(basket=basket_of(user), user=user)
    if paid:
        order.set_status(settings.ORDER_PAID)
        order_paid.send(sender=type(order), order=order)
    return order
