"""Sections that other parts of the site add to the product page, without the shop knowing them.

The shop must not import editorial (dependencies point editorial → shop), yet the product page
shows the journal's posts and the galleries that feature the product. So the shop offers an
extension point: an app registers a *panel*, a callable `(product, request) → HTML`, usually
from its `AppConfig.ready()`, and the product page renders every registered panel, in the order
they were registered, through the `product_panels` template tag (community_tags). A panel with
nothing to say returns an empty string."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

ProductPanel = Callable[[Any, HttpRequest], str]

# Keyed by name, so that registering again (ready() runs more than once in some test set-ups)
# replaces a panel instead of showing it twice.
_panels: dict[str, ProductPanel] = {}


def register_product_panel(name: str, panel: ProductPanel) -> None:
    """Show `panel`'s HTML on every product page. It must be a SafeString (rendered by a
    template): a plain string is escaped and shows as text."""
    _panels[name] = panel


def unregister_product_panel(name: str) -> None:
    _panels.pop(name, None)


def registered_product_panels() -> dict[str, ProductPanel]:
    return dict(_panels)


def render_product_panels(product, request: HttpRequest) -> SafeString:
    """The HTML of every registered panel for `product`, one after the other."""
    parts = [panel(product, request) for panel in _panels.values()]
    # A panel that forgot to mark its HTML safe gets it escaped, never injected.
    return mark_safe(  # nosec B308, B703 # each part is escaped unless already safe
        "".join(conditional_escape(part) for part in parts if part)
    )
