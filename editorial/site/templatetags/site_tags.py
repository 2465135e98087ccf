"""The site's chrome in templates: `{% site_chrome as studio %}` gives the studio's details and
menus (see editorial.site.selectors)."""

from __future__ import annotations

from django import template

from editorial.site import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def site_chrome(context: template.Context) -> selectors.SiteChrome:
    return selectors.site_chrome(context.get("request"))
