"""A visitor's product history without the product page doing it (shop/history): the page's
beacon records the view (Oscar's history cookie and view counter), and the "recently viewed"
fragment lists the products from that cookie, so that the page itself can be shared."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import UserFactory
from tests.shop.test_storefront import text

Product = get_model("catalogue", "Product")
ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")

HISTORY = settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME
RECENTLY_VIEWED = "Produits récemment consultés"


@pytest.fixture
def album(catalogue):
    return Product.objects.get(upc="BK-ALBUM-LIN-30")


@pytest.fixture
def gift_card(catalogue):
    return Product.objects.get(upc="BK-CARTE-CADEAU-120")


def views_of(product) -> int:
    record = ProductRecord.objects.filter(product=product).first()
    return record.num_views if record else 0


def beacon(client, product):
    return client.post(reverse("history:viewed", args=[product.pk]))


def fragment(client, current=None):
    query = {"produit": current.pk} if current else {}
    return client.get(reverse("history:recently-viewed"), query)


def test_the_product_page_itself_sets_no_cookie_and_counts_no_view(client, album):
    response = client.get(album.get_absolute_url())

    assert response.status_code == 200
    assert HISTORY not in response.cookies
    assert views_of(album) == 0


def test_the_product_page_carries_the_beacon_and_the_place_of_the_fragment(client, album):
    page = text(client.get(album.get_absolute_url()))

    assert f'action="{reverse("history:viewed", args=[album.pk])}"' in page
    assert f'data-recently-viewed="{reverse("history:recently-viewed")}?produit={album.pk}"' in page
    assert "shop/product_history.js" in page


def test_the_page_ignores_the_history_cookie_the_visitor_brings(client, album, gift_card):
    client.cookies[HISTORY] = json.dumps([gift_card.pk])

    page = text(client.get(album.get_absolute_url()))

    assert RECENTLY_VIEWED not in page
    assert gift_card.get_absolute_url() not in page


def test_the_beacon_sets_the_history_cookie_and_counts_the_view(client, album):
    response = beacon(client, album)

    assert response.status_code == 204
    assert json.loads(response.cookies[HISTORY].value) == [album.pk]
    assert response.cookies[HISTORY]["httponly"]
    assert views_of(album) == 1
    beacon(client, album)
    assert views_of(album) == 2


def test_the_beacon_adds_to_the_history_the_visitor_already_has(client, album, gift_card):
    beacon(client, album)

    response = beacon(client, gift_card)

    assert json.loads(response.cookies[HISTORY].value) == [album.pk, gift_card.pk]


def test_an_anonymous_beacon_needs_no_csrf_token(album):
    # Its page is shared by every anonymous visitor: it carries no token.
    browser = Client(enforce_csrf_checks=True)

    assert beacon(browser, album).status_code == 204
    assert views_of(album) == 1


def test_a_logged_in_beacon_needs_the_csrf_token_its_page_carries(album):
    browser = Client(enforce_csrf_checks=True)
    person = UserFactory()
    browser.force_login(person)

    assert beacon(browser, album).status_code == 403
    assert views_of(album) == 0

    page = browser.get(album.get_absolute_url())
    token = page.context["csrf_token"]
    assert f'value="{token}"' in text(page)
    answer = browser.post(reverse("history:viewed", args=[album.pk]),
                          {"csrfmiddlewaretoken": str(token)})
    assert answer.status_code == 204
    assert views_of(album) == 1
    assert UserProductView.objects.filter(user=person, product=album).count() == 1


def test_the_beacon_is_a_post_only(client, album):
    assert client.get(reverse("history:viewed", args=[album.pk])).status_code == 405
    assert views_of(album) == 0


def test_the_beacon_does_not_count_a_product_withdrawn_from_sale(client, album):
    album.is_public = False
    album.save()

    assert beacon(client, album).status_code == 404
    assert views_of(album) == 0


def test_the_fragment_lists_the_viewed_products_but_the_one_being_read(client, album, gift_card):
    beacon(client, album)
    beacon(client, gift_card)

    page = text(fragment(client, current=gift_card))

    assert RECENTLY_VIEWED in page
    assert album.get_absolute_url() in page
    assert gift_card.get_absolute_url() not in page


def test_the_fragment_is_empty_without_a_history(client, album):
    response = fragment(client, current=album)

    assert response.status_code == 200
    assert text(response).strip() == ""


def test_the_fragment_is_private_to_the_visitor(client, album):
    beacon(client, album)

    response = fragment(client)

    cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control
    assert "Cookie" in response["Vary"]
    assert album.get_absolute_url() in text(response)
