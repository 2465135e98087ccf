"""`{% onload_script %}…{% endonload_script %}`: Oscar's body-onload script with the
response's Content-Security-Policy nonce, and nothing at all when the block is empty: the
pages of the page cache keep no inline script, so no nonce is baked into a shared page."""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _nonce(context: Context) -> str:
    return str(getattr(context.get("request"), "csp_nonce", ""))


class OnloadScriptNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString | str:
        body = self.nodelist.render(context)
        if not body.strip():
            return ""
        # The body is template code of Oscar's and ours, rendered with autoescaping, as in
        # Oscar's own base.html: only the nonce is new.
        return format_html(
            '<script nonce="{}">\n$(function() {{{}}});\n</script>', _nonce(context),
            mark_safe(body),  # nosec B308, B703 # our templates' own JS, autoescaped (see above)
        )


@register.tag
def onload_script(parser: Parser, token: Token) -> OnloadScriptNode:
    nodelist = parser.parse(("endonload_script",))
    parser.delete_first_token()
    return OnloadScriptNode(nodelist)
