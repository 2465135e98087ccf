"""Oscar's product index, reading the products with what their catalogue card needs."""

from __future__ import annotations

from django.db.models import QuerySet
from oscar.apps.search import search_indexes as oscar_indexes
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")


class ProductIndex(oscar_indexes.ProductIndex):
    def read_queryset(self, using: str | None = None) -> QuerySet:
        # A parent's card shows the price of its first public child and whether any can be
        # bought (Structured.fetch_for_parent): prefetched here, with their stock records, or
        # the strategy queries the children, then their stock records, for each parent.
        public_children = Product.objects.public().prefetch_related("stockrecords")
        return super().read_queryset(using).prefetch_public_children(public_children)
