"""Links from the booker's pages to pages of the apps built on it, without the booker knowing them.

The booker must not import the shop (dependencies point shop → booker), nor name its URLs in
its templates, yet the client's portal offers to pay for extra photos and to order a print of
a delivered one, both the shop's pages. So the booker offers an extension point: an app
registers a *link*, a callable `(obj) → URL` under a name the booker's templates use, usually
from its `AppConfig.ready()`, and the templates ask for it with the `studio_link` tag
(booker_links). With no app registered under that name, or its URL not mounted, the tag gives
nothing and the template shows no link: the booker works without the shop.

The names the booker's templates ask for:
- `pay_extras` (a PhotoSession): the page that puts the session's extra photos in the basket;
- `order_print` (a FinalFile): the print chooser for a delivered photo;
- `addresses`, `orders` (no object): the customer's address book and orders, from "Mon compte".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch

StudioLink = Callable[[Any], str]

# Keyed by name, so that registering again (ready() runs more than once in some test set-ups)
# replaces a link instead of keeping two.
_links: dict[str, StudioLink] = {}


def register_link(name: str, link: StudioLink) -> None:
    """Answer the booker's templates asking for `name` with `link(obj)`, a URL (usually a
    `reverse()`) or an empty string when this object has no such page."""
    _links[name] = link


def unregister_link(name: str) -> None:
    _links.pop(name, None)


def registered_links() -> dict[str, StudioLink]:
    return dict(_links)


def link_for(name: str, obj: Any = None) -> str:
    """The URL registered under `name` for `obj`, or "" when no app offers that page."""
    link = _links.get(name)
    if link is None:
        return ""
    try:
        return link(obj) or ""
    except NoReverseMatch:
        # The app is installed but its URLs are not mounted (a project without the shop's
        # pages, a test's own URLconf): no page, so no link, as `{% url … as var %}` does.
        return ""
