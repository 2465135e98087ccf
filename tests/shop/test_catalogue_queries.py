"""The catalogue and its category pages, rendered for a logged-in client (the page cache
serves only anonymous visitors without a basket), cost the same number of queries whatever
the number of products listed: the products come from the search index, then from the
database in bulk with what their cards need (pictures, stock records, a parent's children)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from shop import demo
from tests.factories import UserFactory
from tests.shop.test_storefront import text

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")

# Products added to the demo's five listed ones: the page (20 products) shows them all.
N = 4
CARD = '<article class="product_pod">'
# Measured on SQLite for a client with an album in the basket: 27 queries on the catalogue,
# 29 on a category page (the category and its descendants), with N more products as with 2N;
# before the products were loaded in bulk, 6 more per standalone product and 8 per parent
# (79 and 107 on the catalogue). A small margin above.
MAX_QUERIES = 32


def _quiet(line: str) -> None:
    pass


def _add_products(n: int, start: int, category) -> None:
    """`n` products in `category`, half standalone (stock, picture), half parents with two
    variants (picture on the parent, stock on the variants), as the demo's albums and prints."""
    partner = Partner.objects.get(name=demo.PARTNER_NAME)
    goods = ProductClass.objects.get(slug=demo.GOODS.slug)
    prints = ProductClass.objects.get(slug=demo.PRINT.slug)
    upcs = []
    for k in range(start, start + n):
        if k % 2:
            product = Product.objects.create(upc=f"T-{k}", title=f"Album {k}", product_class=goods)
            demo._stockrecord(product, partner, Decimal("10.00") + k, 5, _quiet)
            demo._image(product, "album", _quiet)
        else:
            product = Product.objects.create(
                upc=f"T-{k}", title=f"Tirage {k}", product_class=prints, structure=Product.PARENT
            )
            demo._image(product, "print", _quiet)
            for variant in range(2):
                child = Product.objects.create(
                    upc=f"T-{k}-{variant}",
                    parent=product,
                    structure=Product.CHILD,
                    title=f"Tirage {k} variante {variant}",
                )
                demo._stockrecord(child, partner, Decimal("30.00"), None, _quiet)
        ProductCategory.objects.create(product=product, category=category)
        upcs.append(product.upc)
    demo._index(upcs)


def _warm_count(client, url: str) -> tuple[int, str]:
    client.get(url)  # thumbnails are made on the first view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), text(response)


@pytest.fixture
def customer_with_a_basket(client, catalogue):
    client.force_login(UserFactory())
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")
    client.post(reverse("basket:add", kwargs={"pk": album.pk}), {"quantity": 1})
    return client


@pytest.mark.parametrize("page", ["catalogue", "category"])
def test_a_listing_costs_the_same_queries_with_twice_the_products(customer_with_a_basket, page):
    client = customer_with_a_basket
    albums = Category.objects.get(name=demo.ALBUMS)
    url = reverse("catalogue:index") if page == "catalogue" else albums.get_absolute_url()
    listed_by_demo = text(client.get(url)).count(CARD)

    _add_products(N, 0, albums)
    count, page_text = _warm_count(client, url)
    assert page_text.count(CARD) == listed_by_demo + N
    _add_products(N, N, albums)
    twice_count, page_text = _warm_count(client, url)
    assert page_text.count(CARD) == listed_by_demo + 2 * N

    print(
        f"{url}: {count} queries for {listed_by_demo + N} products, "
        f"{twice_count} for {listed_by_demo + 2 * N}"
    )
    assert twice_count == count
    assert twice_count <= MAX_QUERIES
    # The bulk-loaded cards still price a parent from its variants, VAT included.
    assert "à partir de 30,00 €" not in page_text  # its variants cost the same
    assert "30,00 €" in page_text  # a parent: its variants at 30.00 TTC
    assert "11,00 €" in page_text  # the album T-1: 11.00 TTC
