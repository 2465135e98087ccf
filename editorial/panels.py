"""What editorial adds to the shop's product page, through the shop's panel registry
(shop/community/panels.py; registered in EditorialConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .related import related_content


def related_content_panel(product, request: HttpRequest) -> SafeString | str:
    """"In the journal and the galleries": the posts and galleries featuring the product, or
    nothing at all when there are none."""
    related = related_content(product)
    if not related:
        return ""
    # The request goes in as a plain variable, for {% pageurl %} to reuse the site's root
    # paths, rather than as render_to_string's request: the page's context processors have
    # already run once for this response.
    context = {"related": related, "product": product, "request": request}
    return render_to_string("editorial/includes/related_content.html", context)
