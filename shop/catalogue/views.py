"""Oscar's catalogue views (get_class finds the others in Oscar's module), with the product
page the same for every anonymous visitor: what Oscar did there per visitor (the view count,
the history cookie, "recently viewed") is done by shop/history after the page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from oscar.apps.catalogue import views as oscar_views
from oscar.core.loading import get_class

CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")


class ProductDetailView(oscar_views.ProductDetailView):
    """Oscar's product page, minus what it did for the visitor reading it."""

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Oscar's template reads two things of the request besides the user: the history cookie
        # (its "recently viewed" block, which now comes from the fragment) and, for the "back
        # to search results" link, the Referer. Without them an anonymous visitor's page is
        # everyone's, and the page cache may store it: a visitor's search must not show on it.
        request.COOKIES = {
            name: value for name, value in request.COOKIES.items()
            if name != CustomerHistoryManager.cookie_name
        }
        if not request.user.is_authenticated:
            request.META.pop("HTTP_REFERER", None)
        response = super().get(request, *args, **kwargs)
        # A logged-in person's copy has their wish lists: the page cache keeps the anonymous
        # page for anonymous visitors only (editorial.pagecache.middleware.VARIES_FOR_PEOPLE).
        response.varies_for_people = True
        return response

    def send_signal(self, request, response, product) -> None:
        # The page's beacon (shop.history.views.product_viewed) records the view: a page served
        # from the cache never reaches this view, and one that set the cookie could not be
        # stored.
        return None
