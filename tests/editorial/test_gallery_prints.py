"""A gallery photo can be ordered: "Commander ce tirage" under it leads to the shop's print
chooser (a print) or to the product page (anything else), and disappears when the product
does."""

from __future__ import annotations

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from editorial.models import GalleryPage
from shop import demo as shop_demo

Product = get_model("catalogue", "Product")


@pytest.fixture
def catalogue(db, search_index) -> None:
    shop_demo.seed(lambda line: None)


@pytest.fixture
def gallery(seeded, catalogue) -> GalleryPage:
    return GalleryPage.objects.get(slug="portraits")


def link_photo(gallery: GalleryPage, product) -> None:
    photo = gallery.photos.first()
    photo.print_product = product
    photo.save()


def test_a_photo_linked_to_a_print_leads_to_the_print_chooser(gallery, client):
    parent = Product.objects.get(upc=shop_demo.PRINT_PARENT_UPC)
    link_photo(gallery, parent)
    page = client.get(gallery.url).content.decode()
    chooser = reverse("personal:product", args=[parent.pk])
    assert f'href="{chooser}"' in page and "Commander ce tirage" in page
    assert client.get(chooser).status_code == 200


def test_a_photo_linked_to_another_product_leads_to_its_page(gallery, client):
    album = Product.objects.browsable().exclude(upc=shop_demo.PRINT_PARENT_UPC).first()
    link_photo(gallery, album)
    assert f'href="{album.get_absolute_url()}"' in client.get(gallery.url).content.decode()


@pytest.mark.parametrize("change", ["hidden", "deleted"])
def test_a_product_hidden_or_deleted_removes_the_link_not_the_photo(gallery, client, change):
    parent = Product.objects.get(upc=shop_demo.PRINT_PARENT_UPC)
    link_photo(gallery, parent)
    if change == "hidden":
        Product.objects.filter(pk=parent.pk).update(is_public=False)
    else:
        parent.delete()
    response = client.get(gallery.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Commander ce tirage" not in page
    assert page.count("<figure>") == gallery.photos.count()
