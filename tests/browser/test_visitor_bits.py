"""A logged-in client on a page the cache shares with everyone, in a real browser: the page is
the anonymous visitor's, and its script fills in their header (their space, their basket's
count) and the token their forms need (editorial/site/views.py, static/editorial/visitor.js)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


@pytest.fixture
def catalogue(search_index):
    """The shop's demo catalogue only (the whole seed_demo is not needed here)."""
    from shop import demo

    demo.seed(lambda line: None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_logged_in_client_gets_the_shared_catalogue_with_their_own_header_and_adds_to_it(
    page: Page, catalogue, page_cache
):
    from oscar.core.loading import get_model

    from tests.factories import UserFactory
    from tests.shop.prints import basket_of

    Product = get_model("catalogue", "Product")
    client = UserFactory(email="lea@example.test", first_name="Léa")
    basket_of(client).add_product(Product.objects.get(upc="BK-ALBUM-LIN-30"), 2)

    assert page.goto("/shop/catalogue/").headers["x-cache"] == "miss"  # stored, anonymous
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("lea@example.test")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    with page.expect_response(lambda r: "/visiteur/" in r.url):
        shared = page.goto("/shop/catalogue/")
    assert shared.headers["x-cache"] == "hit"

    nav = page.locator(".site-header .account-nav")
    expect(nav).to_contain_text("Mon espace")
    expect(nav.locator(".basket-count")).to_contain_text("2")
    form = page.locator("form[action*='/shop/basket/add/']").first
    expect(form.locator("input[name=csrfmiddlewaretoken]")).to_have_count(1)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/shop/basket/add/" not in page.url  # not refused: the token was theirs
    page.goto("/shop/catalogue/")
    expect(page.locator(".site-header .account-nav .basket-count")).to_contain_text("3")
