"""The two requests the product page's script makes after it (the page itself, the same for every
anonymous visitor, is shop/catalogue/views.py): the view beacon and the "recently viewed"
fragment (see the package's docstring)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_cookie
from oscar.core.loading import get_class, get_model

from shop.csrf import csrf_for_people_only

from . import services

# The product page (shop/catalogue/views.py): its viewability rule, and the sender of the
# signal it no longer sends itself.
ProductDetailView = get_class("catalogue.views", "ProductDetailView")
Product = get_model("catalogue", "Product")


def _viewable_product(request: HttpRequest, pk: int) -> Product:
    product = get_object_or_404(Product.objects.select_related("parent"), pk=pk)
    if not ProductDetailView().is_viewable(product, request):
        raise Http404
    return product


@csrf_for_people_only
@require_POST
def product_viewed(request: HttpRequest, pk: int) -> HttpResponse:
    """The page's beacon: Oscar's receivers count the view and set the history cookie on this
    answer. Without a CSRF token for anonymous visitors (shop/csrf.py): their page is shared."""
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
