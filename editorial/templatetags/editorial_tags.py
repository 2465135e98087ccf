from __future__ import annotations

from django import template
from wagtail.images.shortcuts import get_renditions_or_not_found

from editorial import selectors
from editorial.models import journal_route_url
from editorial.site import selectors as site_selectors

register = template.Library()


@register.inclusion_tag("editorial/tags/main_nav.html", takes_context=True)
def main_nav(context: template.Context) -> dict:
    """The menu items editors set in the "Menus" setting or, by default, the home page's live
    children marked "show in menus"; read from the cached site chrome."""
    request = context.get("request")
    current = context.get("page")
    path = request.path if request is not None else ""
    items = [
        {"title": link.label, "url": link.url, "here": link.is_here(current, path)}
        for link in site_selectors.site_chrome(request).menu
    ]
    return {"items": items}


@register.simple_tag
def rendition(image, spec: str):
    """`{% rendition image "max-1600x1600|format-jpeg" as large %}`: what `{% image … as large %}`
    gives, without the cache write Wagtail's single-rendition path makes even for a rendition
    the page prefetched (selectors.with_renditions): one round trip less per picture."""
    if not image:
        return None
    return next(iter(get_renditions_or_not_found(image, [spec]).values()))


@register.simple_tag
def order_link(product, photo=None) -> str | None:
    """editorial.selectors.order_link, for gallery photos."""
    return selectors.order_link(product, photo)


@register.filter
def object_position(rendition) -> str:
    """`object-position` for a picture shown with `object-fit: cover` in a box of another shape
    (the hero on a phone): the browser's own crop then keeps the focal point too."""
    if not rendition:
        return ""
    return f"object-position: {rendition.background_position_x} {rendition.background_position_y}"


@register.simple_tag(takes_context=True)
def journal_url(context: template.Context, journal, route: str, slug: str) -> str:
    """The address of the journal's page of a category (`route` "category") or a tag ("tag")."""
    return journal_route_url(journal, route, slug, context.get("request"))
