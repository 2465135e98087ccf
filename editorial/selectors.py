"""Reads for pages that show the shop: product cards with the price a visitor pays now.

Prices and availability always come from Oscar's strategy at render time, never from a copy
in the page, so a price changed in the dashboard shows on the next request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from oscar.core.loading import get_class, get_model
from wagtail.models import Page

from booker import selectors as booker_selectors
from shop.catalogue.product_classes import PRINT
from shop.community.selectors import Offer, product_offer

Product = get_model("catalogue", "Product")
Selector = get_class("partner.strategy", "Selector")


@dataclass(frozen=True)
class ProductCard:
    product: Any
    offer: Offer | None
    image: Any  # Oscar's ProductImage, or None

    @property
    def url(self) -> str:
        return self.product.get_absolute_url()

    @property
    def price(self) -> Decimal | None:
        return self.offer.price if self.offer else None

    @property
    def price_varies(self) -> bool:
        return bool(self.offer and self.offer.high_price != self.offer.price)


def with_renditions(images: Iterable[Any]) -> None:
    """Load the renditions of these Wagtail images in one query. Without it each `{% picture %}`
    asks the cache for its renditions and, Wagtail not marking what it found there, writes
    them all back: two cache round trips and a dozen pickles per picture."""
    images = [
        image for image in images
        if image is not None and "renditions" not in getattr(image, "_prefetched_objects_cache", {})
    ]
    if images:
        prefetch_related_objects(images, "renditions")


def card_products() -> QuerySet:
    """Products with what a card needs prefetched: stock records, images, public variants
    (with their stock records), so pricing a card costs no query of its own."""
    variants = Product.objects.public().prefetch_related("stockrecords")
    return (
        Product.objects.select_related("product_class")
        .prefetch_related("stockrecords", "images")
        .prefetch_related(
            Prefetch("children", queryset=variants, to_attr="_prefetched_public_children")
        )
    )


def products_by_id(ids: Iterable[int]) -> dict[int, Any]:
    """Every product among `ids` that still exists, public or not: the page editor must still
    see a product that was unpublished, the page itself hides it (see `product_card`)."""
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return {}
    return {product.pk: product for product in card_products().filter(pk__in=ids)}


def category_products(category, limit: int) -> list:
    """Up to `limit` public products of `category` or of its subcategories, newest first."""
    if category is None or not category.is_public:
        return []
    products = (
        card_products()
        .filter(parent=None, is_public=True, categories__path__startswith=category.path)
        .distinct()
        .order_by("-date_created", "-pk")
    )
    return list(products[:limit])


def request_strategy(request: HttpRequest | None):
    """The strategy Oscar's basket middleware put on the request, or a fresh one (a page
    rendered outside a request, e.g. a preview or a test)."""
    strategy = getattr(request, "strategy", None)
    return strategy if strategy is not None else Selector().strategy(request=request)


def product_card(product, strategy) -> ProductCard | None:
    """The card of a product a visitor may see, or None: deleted, not public, or a variant
    (variants are shown through their parent)."""
    if product is None or not product.is_public or product.parent_id is not None:
        return None
    return _card(product, strategy)


def order_link(product: Any | None, photo: Any | None = None) -> str | None:
    """Where "Commander ce tirage" under a gallery photo goes: the print chooser for a print
    (size, paper, crop), framed on `photo` when given, the product page for anything else;
    None when the product is gone or no longer public."""
    if product is None or not product.is_public:
        return None
    if product.structure == Product.PARENT and product.product_class.slug == PRINT.slug:
        url = reverse("personal:product", args=[product.pk])
        if photo is not None:
            from .prints import photo_ref

            url += "?" + urlencode({"photo": photo_ref(photo)})
        return url
    return product.get_absolute_url()


def package_card(product, strategy) -> ProductCard | None:
    """The card of a session package on its landing page, priced as a visitor would pay it.

    Unlike `product_card`, a package that is not public still shows: packages are sold through
    booking, not the catalogue, and stay out of it on purpose (see shop.demo)."""
    if product is None or product.parent_id is not None:
        return None
    return _card(product, strategy)


def _card(product, strategy) -> ProductCard:
    images = list(product.images.all())  # prefetched by card_products(): no query per card
    return ProductCard(
        product=product,
        offer=product_offer(product, strategy),
        image=images[0] if images else None,
    )


def package(product_id: int | None) -> Any | None:
    """A package product with what its card needs, in one go (None when gone)."""
    if product_id is None:
        return None
    return card_products().filter(pk=product_id).first()


def contact_page() -> Page | None:
    from .contact.models import ContactPage

    return ContactPage.objects.live().public().first()


def booking_link(
    booking_page: Page | None, booking_url: str, request: HttpRequest | None
) -> str | None:
    """Where a landing page's "Réserver" goes: the page or the address the editor chose, else
    online booking (/reserver/) when a session can be booked there, else the contact page,
    else nowhere (the button is hidden)."""
    if booking_page is not None and booking_page.live:
        return booking_page.get_url(request)
    if booking_url:
        return booking_url
    if booker_selectors.bookable_session_types():
        return reverse("booking:index")
    contact = contact_page()
    return contact.get_url(request) if contact is not None else None
