"""The site's machine-readable files: sitemap.xml and robots.txt."""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from shop.sitemaps import CategorySitemap, ProductSitemap

# Back offices, the customer's own pages and the purchase funnel: nothing there for a search
# engine, and most of it asks for a login anyway.
PRIVATE_PATHS = [
    "/admin/",
    "/cms/",
    "/dashboard/",
    "/portal/",
    "/accounts/",
    "/after-login/",
    "/shop/accounts/",
    "/shop/basket/",
    "/shop/checkout/",
    "/shop/prints/",
]


def sitemap(request: HttpRequest) -> HttpResponse:
    """One sitemap: the live public pages of the request's site, then the shop's."""
    sitemaps = {
        "pages": PageSitemap(request),
        "products": ProductSitemap(request),
        "categories": CategorySitemap(request),
    }
    return sitemap_views.sitemap(request, sitemaps)


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS), "Allow: /", ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
