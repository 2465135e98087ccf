"""A campaign's content as an email's subject, HTML body and text body. The Booker wraps the
bodies in the studio's email layout, with each person's own unsubscribe link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from django.template.loader import render_to_string
from django.utils.html import strip_tags
from wagtail.rich_text import expand_db_html

from booker.mail import absolute_url

from .models import CampaignContent

# Links and images in an email must be absolute: the mail client has no page to resolve from.
RELATIVE = re.compile(r'(href|src)="(/[^/"][^"]*)"')


@dataclass(frozen=True)
class RenderedCampaign:
    subject: str
    html: str
    text: str


def _absolute(html: str) -> str:
    return RELATIVE.sub(lambda m: f'{m.group(1)}="{absolute_url(m.group(2))}"', html)


def render(content: CampaignContent) -> RenderedCampaign:
    parts: list[dict] = []
    texts: list[str] = []
    for block in content.body:
        if block.block_type == "text":
            html = _absolute(expand_db_html(block.value.source))
            parts.append({"kind": "text", "html": html})
            texts.append(unescape(strip_tags(re.sub(r"</(p|h2|h3|li)>", "\n", html))).strip())
        elif block.block_type == "image":
            image = block.value["image"]
            rendition = image.get_rendition("width-1040")
            alt = block.value["alt"] or image.title
            parts.append({"kind": "image", "url": absolute_url(rendition.url)
                          if rendition.url.startswith("/") else rendition.url, "alt": alt})
            texts.append(f"[{alt}]")
        elif block.block_type == "button":
            parts.append({"kind": "button", **block.value})
            texts.append(f"{block.value['label']} : {block.value['url']}")
    html = render_to_string("editorial/campaigns/body.html", {"parts": parts})
    return RenderedCampaign(" ".join(content.subject.split()), html, "\n\n".join(texts))
