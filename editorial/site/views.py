"""The visitor fragment: what of a page is the visitor's own, for the pages the page cache
serves them shared (editorial/pagecache/middleware.py; fetched by static/editorial/visitor.js).

One small private JSON answer per page view of a logged-in person or of a basket, instead of
the whole page rendered for them: the header's account part (includes/account_nav.html, with
their basket's count and log-out form), the CSRF token their forms need (the stored page's
forms carry none: shop/csrf.py), and who they comment as."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shop.basket import selectors as basket_selectors


@require_GET
def visitor(request: HttpRequest) -> JsonResponse:
    """`{"personal": …, "account_nav": html, "csrf_token": …, "commenting_as": …}`; "personal"
    is false for a visitor with neither a login nor anything in a basket (the script then
    forgets them). The basket is counted, not loaded: Oscar's offers are not applied here."""
    user = request.user
    authenticated = user.is_authenticated
    count = basket_selectors.open_basket_count(request)
    token = get_token(request) if authenticated else ""
    # Without the context processors (no `request=`): the template needs only these, and
    # Oscar's would count the person's unread notifications for nothing.
    account_nav = render_to_string("includes/account_nav.html", {
        "request": request, "user": user, "basket_count": count, "csrf_token": token,
    })
    bits = {
        "personal": authenticated or count > 0,
        "account_nav": account_nav,
        # Anonymous posts from the stored pages are exempt from the check (shop/csrf.py).
        "csrf_token": token,
        "commenting_as": (
            _("Commenting as %(name)s.") % {"name": user.get_full_name() or user.email}
            if authenticated else ""
        ),
    }
    response = JsonResponse(bits)
    # Someone's own answer: no browser or shared cache keeps it for anyone else.
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response
