"""Views of other apps posted to from cached pages, wrapped so that CSRF is checked for
logged-in people only (see csrf.py)."""

from __future__ import annotations

from oscar.core.loading import get_class

from .csrf import csrf_for_people_only

# Oscar's "add to basket", posted from the catalogue and product pages.
basket_add = csrf_for_people_only(get_class("basket.views", "BasketAddView").as_view())
