from __future__ import annotations

from django import template
from django.http import HttpRequest
from wagtail.models import Page, Site

from editorial import selectors

register = template.Library()


def _site(request: HttpRequest | None) -> Site | None:
    # Templates rendered outside a request (mails, tests) still get the default site's menu.
    site = Site.find_for_request(request) if request is not None else None
    return site or Site.objects.filter(is_default_site=True).select_related("root_page").first()


@register.inclusion_tag("editorial/tags/main_nav.html", takes_context=True)
def main_nav(context: template.Context) -> dict:
    """The home page's live children that editors marked "show in menus"."""
    request = context.get("request")
    site = _site(request)
    current = context.get("page")
    items = []
    if site is not None:
        for child in site.root_page.get_children().live().public().in_menu():
            here = isinstance(current, Page) and current.path.startswith(child.path)
            items.append({"title": child.title, "url": child.get_url(request), "here": here})
    return {"items": items}


@register.simple_tag
def order_link(product) -> str | None:
    """editorial.selectors.order_link, for gallery photos."""
    return selectors.order_link(product)


@register.filter
def object_position(rendition) -> str:
    """`object-position` for a picture shown with `object-fit: cover` in a box of another shape
    (the hero on a phone): the browser's own crop then keeps the focal point too."""
    if not rendition:
        return ""
    return f"object-position: {rendition.background_position_x} {rendition.background_position_y}"
