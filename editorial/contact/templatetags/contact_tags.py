from __future__ import annotations

from django import template

from editorial.contact.forms import NEWSLETTER_CONSENT

register = template.Library()


@register.simple_tag
def newsletter_consent() -> str:
    """The consent text beside the newsletter's box: the very text stored as proof."""
    return str(NEWSLETTER_CONSENT)
