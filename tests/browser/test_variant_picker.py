"""A visitor picks a size and a paper on the print's page (issue 20): the page shows that
print's price, and the basket holds that very variant at that price."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect


@pytest.fixture
def catalogue(search_index):
    """The shop's demo catalogue only (the whole seed_demo is not needed here)."""
    from shop import demo

    demo.seed(lambda line: None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_picks_size_and_paper_and_finds_that_print_in_the_basket(
    page: Page, catalogue
):
    from oscar.core.loading import get_model

    from shop import demo

    Basket = get_model("basket", "Basket")
    Product = get_model("catalogue", "Product")
    prints = Product.objects.get(upc=demo.PRINT_PARENT_UPC)

    page.goto(prints.get_absolute_url())
    expect(page.locator(".product_main .price_color")).to_have_text("à partir de 24,00\xa0€")
    price = page.locator("[data-variant-price]")
    expect(price).to_have_text("24,00\xa0€")  # the cheapest print, picked to begin with
    expect(page.get_by_label("Variante")).to_be_hidden()  # the script shows the picker instead

    page.get_by_label("Format").select_option("30×45 cm")
    expect(price).to_have_text("39,00\xa0€")
    page.get_by_label("Papier").select_option("Fine Art Baryta")
    expect(price).to_have_text("66,00\xa0€")
    # Framed: only a matte Baryta is, and the picker moves the finish there by itself.
    page.get_by_label("Encadrement").select_option("Cadre bois noir")
    expect(page.get_by_label("Finition")).to_have_value("Mat")
    expect(price).to_have_text("138,00\xa0€")
    page.get_by_label("Encadrement").select_option("Sans cadre")
    expect(price).to_have_text("66,00\xa0€")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter au panier").click()
    page.goto("/shop/basket/")  # Oscar sends back to the product page, saying it was added

    expect(page.locator("main")).to_contain_text("Tirage d'art 30×45 cm — Fine Art Baryta, mat")
    expect(page.locator("main")).to_contain_text("66,00\xa0€")
    [line] = Basket.objects.get().all_lines()
    assert line.product.upc == demo.print_upc("30x45", "baryta", demo.MATTE)
    assert line.price_incl_tax == 66
