"""Wish lists: a logged-in client keeps a product for later from its page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from tests.factories import UserFactory
from tests.shop.test_storefront import text

Product = get_model("catalogue", "Product")
WishList = get_model("wishlists", "WishList")

pytestmark = pytest.mark.django_db


def add_url(product) -> str:
    return reverse("customer:wishlists-add-product", kwargs={"product_pk": product.pk})


def test_a_client_adds_a_product_to_a_wish_list_from_its_page(client):
    album = create_product(title="Album lin", price=Decimal("120.00"), num_in_stock=5)
    client.force_login(UserFactory())

    page = text(client.get(album.get_absolute_url()))
    assert f'action="{add_url(album)}"' in page

    response = client.post(add_url(album), HTTP_REFERER=album.get_absolute_url())

    assert response.status_code == 302
    wishlist = WishList.objects.get()
    assert [line.product for line in wishlist.lines.all()] == [album]
    # The page now says where the product is, and offers to take it out.
    remove_url = reverse(
        "customer:wishlists-remove-product",
        kwargs={"key": wishlist.key, "product_pk": album.pk},
    )
    assert f'action="{remove_url}"' in text(client.get(album.get_absolute_url()))
    assert "Album lin" in text(client.get(wishlist.get_absolute_url()))


def test_a_print_sold_through_its_variants_can_be_wished_for_too(client):
    parent = create_product(title="Tirage d'art", structure="parent")
    create_product(parent=parent, title="20×30", price=Decimal("20.00"))
    client.force_login(UserFactory())

    page = text(client.get(parent.get_absolute_url()))

    assert f'action="{add_url(parent)}"' in page


def test_an_anonymous_visitor_is_asked_to_log_in(client):
    album = create_product(title="Album lin", price=Decimal("120.00"), num_in_stock=5)

    page = text(client.get(album.get_absolute_url()))
    response = client.post(add_url(album))

    assert f'action="{add_url(album)}"' not in page
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not WishList.objects.exists()
