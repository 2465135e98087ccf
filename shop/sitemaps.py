"""The shop's pages in the site's sitemap: public products and public categories.

The editorial app serves `/sitemap.xml` and puts these next to the Wagtail pages. URLs are on the
site's public address (SITE_URL), as the product page's canonical link is, not the request's."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.http import HttpRequest
from oscar.core.loading import get_model

from booker.mail import site_url

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


class _RequestSitemap(Sitemap):
    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    # Django writes `{protocol}://{domain}{location}`, the domain from the sites framework and the
    # protocol from the request: both from SITE_URL instead.
    def get_domain(self, site=None) -> str:
        return urlsplit(site_url()).netloc

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(site_url()).scheme


class ProductSitemap(_RequestSitemap):
    """Products a visitor can open: public, and not a variant (variants share their parent's
    page)."""

    def items(self) -> QuerySet:
        return Product.objects.browsable().only("pk", "slug", "date_updated").order_by("pk")

    def lastmod(self, product) -> object:
        return product.date_updated


class CategorySitemap(_RequestSitemap):
    def items(self) -> QuerySet:
        return Category.objects.browsable().order_by("path")
