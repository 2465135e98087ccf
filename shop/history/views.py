"""The product page, the same for every anonymous visitor, and the two requests its script makes
after it: the view beacon and the "recently viewed" fragment (see the package's docstring)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_cookie
from oscar.core.loading import get_class, get_model

from . import services

OscarProductDetailView = get_class("catalogue.views", "ProductDetailView")
CustomerHistoryManager = get_class("customer.history", "CustomerHistoryManager")
Product = get_model("catalogue", "Product")


class ProductDetailView(OscarProductDetailView):
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
        return super().get(request, *args, **kwargs)

    def send_signal(self, request, response, product) -> None:
        # The page's beacon (product_viewed below) records the view: a page served from the
        # cache never reaches this view, and one that set the cookie could not be stored.
        return None


def _viewable_product(request: HttpRequest, pk: int) -> Product:
    product = get_object_or_404(Product.objects.select_related("parent"), pk=pk)
    if not OscarProductDetailView().is_viewable(product, request):
        raise Http404
    return product


@require_POST
def product_viewed(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's beacon: Oscar's receivers count the view and set the history cookie on this
    answer. Without a CSRF token for anonymous visitors (booke/urls.py): their page is shared."""
    response = HttpResponse(status=204)
    services.record_view(_viewable_product(request, pk), request, response,
                         sender=ProductDetailView)
    return response


@require_GET
@cache_control(private=True, no_cache=True)
@vary_on_cookie
def recently_viewed(request: HttpRequest) -> TemplateResponse:
    """The "recently viewed products" block from the visitor's history cookie, without the
    product being read (`?produit=<pk>`). Outside the page cache's paths, and private: it is
    this visitor's."""
    current = request.GET.get("produit", "")
    product = Product.objects.filter(pk=int(current)).first() if current.isdigit() else None
    return TemplateResponse(request, "shop/history/recently_viewed.html", {"product": product})
