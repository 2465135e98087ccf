"""Shop products placed in pages: live price incl. VAT, graceful when the product goes away,
a fixed number of queries however many product blocks a post has."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.templatetags.currency_filters import currency
from oscar.test.factories import create_product, create_product_image

from editorial.models import BlogIndexPage, BlogPostPage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _price(typed: str) -> str:
    # The stock record's price is typed VAT included (the default): it is what shows.
    return currency(Decimal(typed), "EUR")


def _post(journal: BlogIndexPage, body: list[dict], slug: str = "post") -> BlogPostPage:
    post = journal.add_child(instance=BlogPostPage(title="Un billet", slug=slug, body=body))
    post.save_revision().publish()
    return post


def _product(title: str, price: str = "100.00", stock: int = 5, **kwargs):
    product = create_product(title=title, price=Decimal(price), num_in_stock=stock, **kwargs)
    create_product_image(product=product)
    return product


def test_product_block_shows_the_live_price_incl_vat_and_links_to_the_product(journal, client):
    product = _product("Album lin")
    post = _post(journal, [{"type": "product", "value": product.pk}])

    text = client.get(post.url).text
    assert _price("100.00") in text
    assert product.get_absolute_url() in text
    assert "Disponible" in text

    product.stockrecords.update(price=Decimal("50.00"))
    text = client.get(post.url).text
    assert _price("50.00") in text
    assert _price("100.00") not in text


def test_out_of_stock_product_says_so(journal, client):
    product = _product("Album lin", stock=0)
    post = _post(journal, [{"type": "product", "value": product.pk}])

    assert "Indisponible pour le moment" in client.get(post.url).text


def test_deleted_product_hides_and_the_page_still_renders(journal, client):
    product = _product("Album disparu")
    post = _post(journal, [{"type": "product", "value": product.pk}])
    product.delete()

    response = client.get(post.url)
    assert response.status_code == 200
    assert "product-card" not in response.text


def test_unpublished_product_hides(journal, client):
    product = _product("Album retiré")
    post = _post(journal, [{"type": "product", "value": product.pk}])
    product.is_public = False
    product.save()

    response = client.get(post.url)
    assert response.status_code == 200
    assert "Album retiré" not in response.text


def test_category_block_shows_its_public_products_up_to_the_limit(journal, client):
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    category = create_from_breadcrumbs("Albums")
    shown = [_product(f"Album {n}") for n in range(3)]
    hidden = _product("Album caché")
    hidden.is_public = False
    hidden.save()
    for product in [*shown, hidden]:
        product.categories.add(category)
    value = {"category": category.pk, "heading": "", "limit": 2}
    post = _post(journal, [{"type": "category", "value": value}])

    text = client.get(post.url).text
    assert text.count('class="card product-card"') == 2
    assert "Album caché" not in text
    assert category.get_absolute_url() in text


def test_queries_do_not_grow_with_the_number_of_product_blocks(
    journal, client, django_assert_max_num_queries
):
    products = [_product(f"Produit {n}") for n in range(3)]
    one = _post(journal, [{"type": "product", "value": products[0].pk}], slug="un")
    three = _post(journal, [{"type": "product", "value": p.pk} for p in products], slug="trois")
    # Thumbnails are made (and their sizes stored) on the first view: count a warm page.
    client.get(one.url)
    client.get(three.url)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as baseline:
        client.get(one.url)
    with django_assert_max_num_queries(len(baseline)):
        text = client.get(three.url).text
    assert text.count('class="card product-card"') == 3


def test_editors_choose_among_public_products_in_the_admin(client):
    editor = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(editor)
    _product("Album lin")
    _product("Produit retiré", is_public=False)

    response = client.get(reverse("product_chooser:choose"))
    assert response.status_code == 200
    assert "Album lin" in response.text
    assert "Produit retiré" not in response.text
    searched = client.get(reverse("product_chooser:choose_results"), {"q": "retiré"})
    assert "Album lin" not in searched.text
