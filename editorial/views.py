"""The site's search page, and its machine-readable files: sitemap.xml and robots.txt."""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps import Sitemap as PageSitemap

from booker.mail import absolute_url
from shop.sitemaps import CategorySitemap, ProductSitemap

from . import search as site_search

RESULTS_PER_PAGE = 20
# Results change when a page is published or a product edited; a few minutes' lag is fine.
SEARCH_MAX_AGE = 300

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
# Two pages inside them that every page links to and that are the same for every crawler: the
# login form and the (empty) basket. Readable, so that a search engine does not list them as
# blocked links; what lies under them stays disallowed ($ ends the path, as Google reads it).
CRAWLABLE_PATHS = ["/accounts/login/$", "/shop/basket/$"]


def sitemap(request: HttpRequest) -> HttpResponse:
    """One sitemap: the live public pages of the request's site, then the shop's, all on the
    site's public address (SITE_URL; the pages through editorial.public_url)."""
    sitemaps = {
        "pages": PageSitemap(request),
        "products": ProductSitemap(request),
        "categories": CategorySitemap(request),
    }
    return sitemap_views.sitemap(request, sitemaps)


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Allow: {path}" for path in CRAWLABLE_PATHS),
             *(f"Disallow: {path}" for path in PRIVATE_PATHS), "Allow: /", ""]
    lines.append(f"Sitemap: {absolute_url(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """One list of the site's pages and the shop's products matching `q`, 20 a page.

    A GET whose answer depends only on its URL: shared caches may keep it for anonymous
    visitors. A logged-in visitor's header carries their own links and log-out token, so their
    copy stays private."""
    query = site_search.clean_query(request.GET.get("q"))
    hits = site_search.site_search(query, request)
    # get_page() turns a missing, junk or too-large number into a page that exists.
    results_page = Paginator(hits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "site_search_query": query,
        "results_page": results_page,
        "results": site_search.load_results(results_page.object_list, request),
    }
    response = render(request, "editorial/search.html", context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=SEARCH_MAX_AGE)
    return response
