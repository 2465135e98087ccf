"""Which lines of a basket travel by post, and what they weigh and cost: the one rule the
basket (does it need a shipping address?) and the banded rates (models.py) share."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from oscar.core.loading import get_class

Scale = get_class("shipping.scales", "Scale")


def is_posted(line) -> bool:
    """Whether `line` goes in the parcel: a product that needs shipping, unless it is a print
    of a client's own photo, which the studio hands over with the session (unless settings
    say it posts them: SHOP_POST_PERSONAL_PRINTS)."""
    product = line.product
    if product is None or not product.is_shipping_required:
        return False
    if getattr(settings, "SHOP_POST_PERSONAL_PRINTS", False):
        return True
    from shop.personal.selectors import PHOTO, line_options

    return not line_options(line).get(PHOTO)


def posted_lines(basket) -> list:
    return [line for line in basket.all_lines() if is_posted(line)]


def posted_value(lines) -> Decimal:
    """What the posted goods cost, VAT and discounts included: a price band's measure."""
    total = Decimal("0.00")
    for line in lines:
        total += line.line_price_incl_tax_incl_discounts or Decimal("0.00")
    return total


def posted_weight(lines, attribute_code: str, default_weight: Decimal) -> Decimal:
    """The parcel's weight in kg: each line's product's weight attribute (the method's default
    for a product without one), times its quantity."""
    scale = Scale(attribute_code=attribute_code, default_weight=default_weight)
    weight = Decimal("0.000")
    for line in lines:
        weight += scale.weigh_product(line.product) * line.quantity
    return weight


def tracking_url(number: str) -> str:
    """The carrier's tracking page of `number` (SHOP_TRACKING_URL, "{number}" replaced); ""
    without a number or a template."""
    template = getattr(settings, "SHOP_TRACKING_URL", "")
    if not number or not template or "{number}" not in template:
        return ""
    return template.replace("{number}", quote(number, safe=""))
