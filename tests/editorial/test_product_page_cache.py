"""The page cache and the shop's product pages: an anonymous visitor's product page is shared
(a miss, then hits) since the page records the view and shows the visitor's history only after
it (shop/history); never a logged-in person's or a basket holder's page; a price change shows
at once."""

import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ProductRecord = get_model("analytics", "ProductRecord")

HISTORY = settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache):
    """Every test here with the page cache on (tests/conftest.py)."""


@pytest.fixture
def album():
    return create_product(title="Album lin", price=Decimal("100.00"), num_in_stock=5)


@pytest.fixture
def gift_card():
    return create_product(title="Carte cadeau", price=Decimal("50.00"), num_in_stock=5)


def test_an_anonymous_product_page_is_a_miss_then_a_hit_with_the_same_body(client, album):
    first = client.get(album.get_absolute_url())
    second = client.get(album.get_absolute_url())

    assert first["X-Cache"] == "miss", "the product page rendered a per-visitor part"
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"]


def test_the_cached_product_page_has_no_visitor_history_and_sets_no_cookie(
    client, album, gift_card
):
    # The first visitor to render the page comes with a history and from a search: neither may
    # reach the page every later visitor gets.
    client.cookies[HISTORY] = json.dumps([gift_card.pk])
    search = "http://testserver" + reverse("search:search") + "?q=mariage+dupont"

    first = client.get(album.get_absolute_url(), HTTP_REFERER=search)
    client.cookies.clear()
    second = client.get(album.get_absolute_url())

    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    for answer in (first, second):
        assert not answer.cookies
        page = answer.content.decode()
        assert "Produits récemment consultés" not in page
        assert gift_card.get_absolute_url() not in page
        assert "mariage" not in page
        assert "Retour aux résultats de recherche" not in page


def test_a_visitor_with_a_history_cookie_still_gets_the_shared_page(client, album, gift_card):
    client.get(album.get_absolute_url())
    client.post(reverse("history:viewed", args=[gift_card.pk]))
    assert HISTORY in client.cookies

    assert client.get(album.get_absolute_url())["X-Cache"] == "hit"


def test_views_of_a_cached_page_are_counted_by_its_beacon(client, album):
    for _ in range(2):
        page = client.get(album.get_absolute_url())
        client.post(reverse("history:viewed", args=[album.pk]))

    assert page["X-Cache"] == "hit"
    assert ProductRecord.objects.get(product=album).num_views == 2


def test_the_beacon_and_the_fragment_are_never_served_from_the_cache(client, album):
    client.post(reverse("history:viewed", args=[album.pk]))
    for _ in range(2):
        answer = client.get(reverse("history:recently-viewed"))
        assert answer.get("X-Cache") != "hit"
        assert "public" not in answer["Cache-Control"]
    from editorial.pagecache.middleware import is_public_path

    assert not is_public_path(reverse("history:recently-viewed"))


def test_a_logged_in_person_is_never_served_the_cached_product_page(client, album):
    client.get(album.get_absolute_url())
    assert client.get(album.get_absolute_url())["X-Cache"] == "hit"
    client.force_login(UserFactory())

    answer = client.get(album.get_absolute_url())

    assert answer["X-Cache"] == "bypass"
    assert reverse("logout") in answer.text  # the header's log-out form: this person's page
    assert "csrfmiddlewaretoken" in answer.text  # their beacon and basket form carry the token


def test_a_visitor_with_a_basket_is_never_served_the_cached_product_page(album):
    browser = Client(enforce_csrf_checks=True)
    browser.get(album.get_absolute_url())
    assert browser.get(album.get_absolute_url())["X-Cache"] == "hit"

    added = browser.post(reverse("basket:add", args=[album.pk]), {"quantity": 1})
    assert added.status_code == 302
    assert settings.OSCAR_BASKET_COOKIE_OPEN in browser.cookies

    answer = browser.get(album.get_absolute_url())
    assert answer["X-Cache"] == "bypass"
    assert "private" in answer["Cache-Control"]


def test_a_price_change_shows_at_once_on_the_cached_product_page(client, album):
    assert "100,00" in client.get(album.get_absolute_url()).text  # typed TTC
    assert client.get(album.get_absolute_url())["X-Cache"] == "hit"

    record = album.stockrecords.get()
    record.price = Decimal("50.00")
    record.save()

    answer = client.get(album.get_absolute_url())
    assert answer["X-Cache"] == "miss"
    assert "50,00" in answer.text and "100,00" not in answer.text


def test_running_out_of_stock_shows_at_once_on_the_cached_product_page(client, album):
    assert "add_to_basket_form" in client.get(album.get_absolute_url()).text
    assert client.get(album.get_absolute_url())["X-Cache"] == "hit"

    record = album.stockrecords.get()
    record.num_in_stock = 0
    record.save()

    assert "add_to_basket_form" not in client.get(album.get_absolute_url()).text


def test_a_product_withdrawn_from_sale_is_gone_at_once(client, album):
    client.get(album.get_absolute_url())
    assert client.get(album.get_absolute_url())["X-Cache"] == "hit"

    album.is_public = False
    album.save()

    assert client.get(album.get_absolute_url()).status_code == 404
