"""The product page's "recently viewed products" in a real browser: the page is shared by every
anonymous visitor (the page cache on), and its script records the view and shows the history
after it (shop/history, static/shop/product_history.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect


@pytest.fixture
def catalogue(search_index):
    """The shop's demo catalogue only (the whole seed_demo is not needed here)."""
    from shop import demo

    demo.seed(lambda line: None)




@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_second_product_page_shows_the_first_as_recently_viewed(
    page: Page, catalogue, page_cache
):
    from oscar.core.loading import get_model

    Product = get_model("catalogue", "Product")
    album = Product.objects.get(upc="BK-ALBUM-LIN-30")
    gift_card = Product.objects.get(upc="BK-CARTE-CADEAU-120")

    # The fragment is fetched once the beacon has answered: its cookie is set by then.
    with page.expect_response(lambda r: "/shop/historique/recents/" in r.url):
        first = page.goto(album.get_absolute_url())
    assert first.headers["x-cache"] == "miss"
    page.goto(gift_card.get_absolute_url())

    recent = page.locator("[data-recently-viewed]")
    expect(recent).to_contain_text("Produits récemment consultés")
    expect(recent.locator(f'a[href="{album.get_absolute_url()}"]').first).to_be_visible()
    expect(recent.locator(f'a[href="{gift_card.get_absolute_url()}"]')).to_have_count(0)
    # Another visitor gets the very same page from the cache, without this one's history.
    other = page.context.browser.new_context(base_url=page.url.split("/shop/")[0])
    try:
        again = other.new_page().goto(gift_card.get_absolute_url())
        assert again.headers["x-cache"] == "hit"
        assert "Produits récemment consultés" not in again.text()
    finally:
        other.close()
    assert Product.objects.get(pk=album.pk).stats.num_views == 1
