"""Template tags of the product page: "customers also bought", the OpenGraph, Twitter card and
schema.org metadata of a product, and the panels other apps add to the page (panels.py)."""

from __future__ import annotations

import json
from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from oscar.core.loading import get_class

from booker.mail import absolute_url
from shop.community import panels, selectors

Selector = get_class("partner.strategy", "Selector")

register = template.Library()

SCHEMA_AVAILABILITY = {True: "https://schema.org/InStock", False: "https://schema.org/OutOfStock"}
# Characters that would end the <script> element or open a comment inside it, escaped the way
# Django's json_script escapes them (still valid JSON).
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _strategy(request):
    # The basket middleware puts the customer's strategy on the request; a page rendered without
    # it (an error page, a test's RequestFactory) gets the default one.
    strategy = getattr(request, "strategy", None)
    if strategy is None:
        strategy = Selector().strategy(request=request, user=getattr(request, "user", None))
    return strategy


@register.simple_tag(takes_context=True)
def also_bought(context, product, limit: int = 4) -> list:
    return selectors.also_bought(product, _strategy(context["request"]), limit=limit)


@register.simple_tag(takes_context=True)
def product_panels(context, product) -> SafeString:
    """What other apps registered for the product page (see shop/community/panels.py)."""
    return panels.render_product_panels(product, context["request"])


@register.simple_tag(takes_context=True)
def product_meta(context, product) -> dict:
    """Title, description, absolute URL and image, offer, and the schema.org JSON-LD script."""
    request = context["request"]
    offer = selectors.product_offer(product, _strategy(request))
    image = product.primary_image()
    is_missing = image.get("is_missing") if isinstance(image, dict) else False
    meta = {
        "title": product.get_meta_title(),
        "description": Truncator(" ".join(product.get_meta_description().split())).chars(200),
        # On the public address (SITE_URL), whatever host the page was fetched on.
        "url": absolute_url(product.get_absolute_url()),
        "image": None if is_missing else absolute_url(image.original.url),
        "image_alt": product.get_title(),
        "offer": offer,
        "price": _amount(offer.price) if offer else None,
        "site_name": settings.OSCAR_SHOP_NAME,
    }
    meta["json_ld"] = _json_ld_script(_json_ld(product, meta))
    return meta


def _amount(value: Decimal) -> str:
    """A price as schema.org and OpenGraph want it: dot decimal, two places, no symbol."""
    return str(value.quantize(Decimal("0.01")))


def _json_ld(product, meta: dict) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": meta["title"],
        "description": meta["description"],
        "url": meta["url"],
        "brand": {"@type": "Brand", "name": meta["site_name"]},
    }
    if meta["image"]:
        data["image"] = [meta["image"]]
    if product.upc:
        data["sku"] = product.upc
    offer = meta["offer"]
    if offer is not None:
        common = {
            "priceCurrency": offer.currency,
            "availability": SCHEMA_AVAILABILITY[offer.available],
            "url": meta["url"],
        }
        if offer.variants:
            data["offers"] = {
                "@type": "AggregateOffer",
                "lowPrice": _amount(offer.price),
                "highPrice": _amount(offer.high_price),
                "offerCount": offer.variants,
                **common,
            }
        else:
            data["offers"] = {
                "@type": "Offer",
                "price": _amount(offer.price),
                "seller": {"@type": "Organization", "name": meta["site_name"]},
                **common,
            }
    reviews = product.num_approved_reviews
    if reviews and product.rating is not None:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": round(product.rating, 1),
            "reviewCount": reviews,
            "bestRating": 5,
            "worstRating": 1,
        }
    return data


def _json_ld_script(data: dict) -> SafeString:
    text = json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES)
    # JSON with <, > and & escaped: nothing in it can close the data block.
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text),  # nosec B308, B703 # escaped JSON, see above
    )
