"""The shop's pages in the site's sitemap: public products and public categories.

The editorial app serves `/sitemap.xml` and puts these next to the Wagtail pages. URLs take the
host and scheme of the request, as the product page's canonical link does."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.http import HttpRequest
from oscar.core.loading import get_model

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


class _RequestSitemap(Sitemap):
    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_domain(self, site=None) -> str:
        # Django would take the sites framework's domain, which nobody keeps up to date here.
        return self.request.get_host()


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
