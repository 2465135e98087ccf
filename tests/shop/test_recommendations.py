""" "Les clients ont aussi acheté": the products found in the same orders as the one on the page,
the most often first, computed from real orders placed through Oscar's order creator."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_class
from oscar.test.factories import create_basket, create_order, create_product

from shop.community.selectors import also_bought
from tests.shop.test_storefront import text

Selector = get_class("partner.strategy", "Selector")

pytestmark = pytest.mark.django_db


def product(title: str, **kwargs):
    return create_product(title=title, price=Decimal("10.00"), num_in_stock=100, **kwargs)


def order(*products) -> None:
    basket = create_basket(empty=True)
    for item in products:
        basket.add_product(item)
    create_order(basket=basket)


def recommended(item) -> list[str]:
    return [p.title for p in also_bought(item, Selector().strategy())]


def test_products_bought_together_most_often_come_first_and_never_the_product_itself():
    album, card, frame, key = (product(t) for t in ("Album", "Carte", "Cadre", "Clé"))
    order(album, card)
    order(album, card, frame)
    order(album, card, frame)
    order(album, key)
    order(card, key)  # without the album: does not count for it
    order(card, key)

    assert recommended(album) == ["Carte", "Cadre", "Clé"]
    assert recommended(key) == ["Carte", "Album"]


def test_at_most_the_limit_is_shown():
    album = product("Album")
    others = [product(f"Produit {i}") for i in range(6)]
    order(album, *others)

    assert len(also_bought(album, Selector().strategy(), limit=4)) == 4


def test_a_print_variant_counts_as_its_print_on_both_sides():
    prints = create_product(title="Tirage d'art", structure="parent")
    small = create_product(parent=prints, title="20×30", price=Decimal("20.00"), num_in_stock=9)
    large = create_product(parent=prints, title="40×60", price=Decimal("50.00"), num_in_stock=9)
    album = product("Album")
    order(small, album)
    order(large, album)
    order(small, large)  # two variants of the one print: not a recommendation for itself

    assert recommended(album) == ["Tirage d'art"]
    assert recommended(prints) == ["Album"]
    assert recommended(small) == ["Album"]


def test_products_that_cannot_be_bought_now_are_left_out():
    album, sold_out, hidden, card = (product(t) for t in ("Album", "Épuisé", "Retiré", "Carte"))
    order(album, sold_out, hidden, card)
    order(album, sold_out, hidden)
    sold_out.stockrecords.update(num_in_stock=0, num_allocated=0)
    hidden.is_public = False
    hidden.save()

    assert recommended(album) == ["Carte"]


def test_the_number_of_queries_does_not_grow_with_the_orders():
    album = product("Album")
    others = [product(f"Produit {i}") for i in range(14)]
    order(album, others[0])
    strategy = Selector().strategy()
    with CaptureQueriesContext(connection) as few:
        also_bought(album, strategy)

    for i in range(1, 14):
        order(album, *others[: i + 1])
    with CaptureQueriesContext(connection) as many:
        found = also_bought(album, strategy)

    assert len(found) == 4
    assert len(many) == len(few)


def test_the_product_page_shows_what_its_buyers_also_bought(client):
    album, card, lonely = product("Album lin"), product("Carte cadeau"), product("Solitaire")
    order(album, card)

    page = text(client.get(album.get_absolute_url()))
    alone = text(client.get(lonely.get_absolute_url()))

    assert "Les clients ont aussi acheté" in page
    section = page[page.index("Les clients ont aussi acheté") :]
    assert card.get_absolute_url() in section
    assert "Les clients ont aussi acheté" not in alone
