"""Oscar's basket views (get_class finds the others in Oscar's module), with the add-to-basket
view posted to from cached pages."""

from __future__ import annotations

from django.utils.decorators import method_decorator
from oscar.apps.basket import views as oscar_views

from shop.csrf import csrf_for_people_only


@method_decorator(csrf_for_people_only, name="dispatch")
class BasketAddView(oscar_views.BasketAddView):
    """Oscar's "add to basket", posted from the catalogue and product pages: those are cached
    and shared by anonymous visitors, so their form carries no CSRF token for them; the check
    runs for logged-in people only (shop/csrf.py)."""
