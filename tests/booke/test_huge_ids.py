"""An id past the database's bigint in any URL of ours is a 404, never a 500 (production
settings: the test settings have DEBUG=False)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from booker import roles
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

# Just past PostgreSQL's bigint (and SQLite's INTEGER), far past it, and past the 4,300 digits
# Python's int() takes.
HUGE = [str(2**63), str(2**64 + 5), "1" + "0" * 40, "9" * 5000]

# (method, path template, who asks): every route of ours that takes an id.
ROUTES = [
    ("get", "/feeds/journal/{}/rss/", None),
    ("get", "/feeds/journal/{}/atom/", None),
    ("get", "/feeds/journal/{}/categorie/mariage/rss/", None),
    ("get", "/feeds/journal/{}/categorie/mariage/atom/", None),
    ("post", "/commentaires/{}/", None),
    ("post", "/shop/historique/vu/{}/", None),
    ("post", "/shop/basket/add/{}/", None),
    ("get", "/shop/catalogue/tirage_{}/", None),
    ("get", "/portal/sessions/{}/", "client"),
    ("post", "/portal/sessions/{}/pick/", "client"),
    ("get", "/portal/photos/{}/thumb.jpg", "client"),
    ("get", "/portal/finals/{}/download/", "client"),
    ("get", "/portal/sessions/{}/photos.zip", "client"),
    ("get", "/shop/prints/final/{}/", "client"),
    ("get", "/shop/prints/produit/{}/", "client"),
    ("post", "/shop/prints/seance/{}/extras/", "client"),
    ("get", "/admin/booker/photosession/{}/studio/", roles.PHOTOGRAPHER),
    ("post", "/admin/booker/photosession/{}/studio/uploads/", roles.PHOTOGRAPHER),
    ("get", "/dashboard/prints/{}/original/", roles.SHOP_MANAGER),
]


@pytest.mark.parametrize("method,template,who", ROUTES)
def test_an_id_past_the_databases_bigint_is_not_found(method, template, who):
    browser = Client(raise_request_exception=False)
    if who is not None:
        browser.force_login(user_with_role(None if who == "client" else who))
    for number in HUGE:
        response = getattr(browser, method)(template.format(number))
        assert response.status_code == 404, (template.format(number), response.status_code)


def test_the_largest_bigint_still_reaches_the_view_which_finds_nothing():
    assert Client().get(f"/feeds/journal/{2**63 - 1}/rss/").status_code == 404


def _patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _ours(pattern: URLPattern) -> bool:
    module = getattr(pattern.callback, "__module__", "") or ""
    return module.split(".")[0] in {"booke", "booker", "shop", "editorial"}


def test_no_route_of_ours_takes_an_unbounded_int():
    """A new route with `<int:…>` fails here: use `<id:…>` (booker/converters.py)."""
    unbounded = []
    for route, pattern in _patterns(get_resolver().url_patterns):
        converters = getattr(pattern.pattern, "converters", {})
        if _ours(pattern) and any(isinstance(c, IntConverter) for c in converters.values()):
            unbounded.append(route)
    assert unbounded == []


# The frameworks' own routes (Oscar's `\d+` patterns, Wagtail's documents): their views turn
# the id into an int themselves, which Python refuses past 4,300 digits.
FRAMEWORK_ROUTES = [
    "/shop/catalogue/category/tirages_{}/",
    "/shop/catalogue/tirage_{}/reviews/",
    "/dashboard/users/{}/",
    "/dashboard/orders/{}/",
    "/documents/{}/contrat.pdf",
    "/cms/pages/{}/edit/",
]


@pytest.mark.parametrize("template", FRAMEWORK_ROUTES)
def test_the_frameworks_routes_answer_404_for_an_id_past_bigint_too(template):
    browser = Client(raise_request_exception=False)
    browser.force_login(user_with_role("superuser"))
    for number in HUGE:
        response = browser.get(template.format(number))
        assert response.status_code == 404, (template.format(number)[:60], response.status_code)
