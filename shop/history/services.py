"""Recording that a product was viewed, the way Oscar's product page does."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from oscar.apps.catalogue.signals import product_viewed
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")


def record_view(product: Product, request: HttpRequest, response: HttpResponse,
                sender: object = None) -> None:
    """Send Oscar's `product_viewed`, as its product page would: its receivers put `product` in
    the visitor's history cookie (set on `response`) and count the view (and, for a logged-in
    person, their UserProductView)."""
    product_viewed.send(sender=sender, product=product, user=request.user, request=request,
                        response=response)
