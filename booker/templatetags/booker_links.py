"""`{% studio_link "pay_extras" session as url %}`: the URL another app registered for a
booker page's link (booker/links.py), or "" when none did."""

from __future__ import annotations

from typing import Any

from django import template

from booker.links import link_for

register = template.Library()


@register.simple_tag
def studio_link(name: str, obj: Any = None) -> str:
    return link_for(name, obj)
