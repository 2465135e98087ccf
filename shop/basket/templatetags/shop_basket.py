"""`{% basket_count as count %}`: the header's basket count (shop.basket.selectors), or the one
the view already counted (`basket_count` in the context)."""

from __future__ import annotations

from django import template

from shop.basket import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def basket_count(context) -> int:
    if context.get("basket_count") is not None:
        return context["basket_count"]
    request = context.get("request")
    return selectors.open_basket_count(request) if request is not None else 0
