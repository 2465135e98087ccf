"""The head of a site page: canonical link, OpenGraph and Twitter card meta, the journal's feeds
and, on a post, its schema.org BlogPosting, built by `editorial.seo.page_meta`."""

from __future__ import annotations

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from editorial import seo

register = template.Library()

# Characters that would end the <script> element or open a comment inside it, escaped as the
# product page's JSON-LD (and Django's json_script) escapes them; still valid JSON.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def page_meta(context: template.Context, page) -> seo.PageMeta:
    return seo.page_meta(page, context.get("request"), context.get("listing"))


@register.filter
def json_ld_script(data: dict | None) -> SafeString:
    if not data:
        return mark_safe("")  # nosec B308 # an empty string
    text = json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES)
    # JSON with <, > and & escaped: nothing in it can close the data block.
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text),  # nosec B308, B703 # escaped JSON, see above
    )
