"""Reads around a product page: what else its buyers bought, and the offer that its social and
schema.org metadata describe."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

Line = get_model("order", "Line")
Product = get_model("catalogue", "Product")

# Candidates ranked in the database before the strategy checks them one by one: a few more than
# shown, since some may be out of stock, but never a number that grows with the orders.
CANDIDATES_PER_SLOT = 3


def also_bought(product, strategy, limit: int = 4) -> list:
    """Products found in the same orders as `product`, the most often first, at most `limit`.

    Variants count as their parent (a buyer of a 20×30 print bought "the print"), so the page of
    a print or of one of its variants shows the same list, never the print itself. Only public
    products that the strategy says can be bought now are kept. A fixed number of queries,
    whatever the number of orders: one to rank, a few to load and price the candidates."""
    root_id = product.parent_id or product.pk
    family = Q(product_id=root_id) | Q(product__parent_id=root_id)
    orders = Line.objects.filter(family).values("order_id")
    ranked = (
        Line.objects.filter(order_id__in=orders, product__isnull=False)
        .annotate(
            item=Coalesce("product__parent_id", "product_id"),
            item_public=Coalesce("product__parent__is_public", "product__is_public"),
        )
        .filter(item_public=True)
        .exclude(item=root_id)
        .values("item")
        .annotate(orders=Count("order_id", distinct=True))
        .order_by("-orders", "item")
        .values_list("item", flat=True)[: limit * CANDIDATES_PER_SLOT]
    )
    ids = list(ranked)
    if not ids:
        return []
    children = Product.objects.public().prefetch_related("stockrecords")
    candidates = Product.objects.base_queryset().prefetch_public_children(queryset=children)
    by_id = {p.pk: p for p in candidates.filter(pk__in=ids, is_public=True)}
    chosen = []
    for pk in ids:
        candidate = by_id.get(pk)
        if candidate is not None and _available(candidate, strategy):
            chosen.append(candidate)
            if len(chosen) == limit:
                break
    return chosen


def _available(product, strategy) -> bool:
    if product.is_parent:
        info = strategy.fetch_for_parent(product)
    else:
        info = strategy.fetch_for_product(product)
    return info.availability.is_available_to_buy


@dataclass(frozen=True)
class Offer:
    """What a product costs a customer, VAT included. A parent's offer spans its variants."""

    price: Decimal  # the lowest
    high_price: Decimal
    currency: str
    available: bool
    variants: int  # 0 for a product sold as such


def product_offer(product, strategy) -> Offer | None:
    """The product's offer as the strategy prices it, or None when it has no price (no stock
    record, or no variant with one)."""
    if product.is_parent:
        infos = [
            strategy.fetch_for_product(child, stockrecord)
            for child, stockrecord in strategy.select_children_stockrecords(product)
            if stockrecord is not None
        ]
    else:
        infos = [strategy.fetch_for_product(product)]
    priced = [info for info in infos if info.price.exists and info.price.is_tax_known]
    if not priced:
        return None
    available = [info for info in priced if info.availability.is_available_to_buy]
    prices = [info.price.incl_tax for info in (available or priced)]
    return Offer(
        price=min(prices),
        high_price=max(prices),
        currency=priced[0].price.currency,
        available=bool(available),
        variants=len(priced) if product.is_parent else 0,
    )

