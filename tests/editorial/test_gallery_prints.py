"""A gallery photo can be ordered: "Commander ce tirage" under it leads to the shop's print
chooser (a print) or to the product page (anything else), and disappears when the product
does."""

from __future__ import annotations

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from editorial.models import GalleryPage, GalleryPhoto
from shop import demo as shop_demo

Product = get_model("catalogue", "Product")


@pytest.fixture
def catalogue(db, search_index) -> None:
    shop_demo.seed(lambda line: None)


@pytest.fixture
def gallery(seeded, catalogue) -> GalleryPage:
    return GalleryPage.objects.get(slug="portraits")


def link_photo(gallery: GalleryPage, product) -> GalleryPhoto:
    photo = gallery.photos.first()
    photo.print_product = product
    photo.save()
    return photo


def print_parent():
    return Product.objects.get(upc=shop_demo.PRINT_PARENT_UPC)


def chooser_of(photo: GalleryPhoto) -> str:
    return f"{reverse('personal:product', args=[photo.print_product_id])}?photo=galerie-{photo.pk}"


def test_a_photo_linked_to_a_print_leads_to_the_print_chooser_of_that_photo(gallery, client):
    photo = link_photo(gallery, print_parent())
    page = client.get(gallery.url).content.decode()
    assert f'href="{chooser_of(photo)}"' in page and "Commander ce tirage" in page
    assert client.get(chooser_of(photo)).status_code == 200


def test_the_chooser_frames_the_gallery_photo_with_its_real_size(gallery, client):
    parent = print_parent()
    photo = link_photo(gallery, parent)
    image = photo.image
    html = client.get(chooser_of(photo)).content.decode()
    # The gallery's own large rendition, not the print product's placeholder.
    assert f'src="{image.get_rendition("max-1600x1600|format-jpeg").url}"' in html
    assert parent.primary_image().original.url not in html
    # The resolution is counted on the original's pixels, not the screen copy's.
    assert f'data-pixel-width="{image.width}"' in html
    assert f'data-pixel-height="{image.height}"' in html
    shape = "portrait" if image.height > image.width else "landscape"
    assert f'data-orientation-default="{shape}"' in html


def test_a_portrait_gallery_photo_starts_on_a_portrait_print(gallery, client):
    photo = link_photo(gallery, print_parent())
    Image = type(photo.image)
    Image.objects.filter(pk=photo.image_id).update(width=3000, height=4500)
    html = client.get(chooser_of(photo)).content.decode()
    assert 'data-pixel-width="3000"' in html and 'data-pixel-height="4500"' in html
    assert 'data-orientation-default="portrait"' in html
    assert "résolution insuffisante" not in html.split('id="id_product"')[1].split("</select>")[0]


def test_ordering_a_gallery_photo_puts_that_photo_on_the_line_at_the_variant_s_price(
    gallery, client
):
    from shop.personal import selectors
    from tests.shop.prints import variant

    photo = link_photo(gallery, print_parent())
    chosen = variant("30x45", "baryta")
    response = client.post(
        chooser_of(photo), {"product": chosen.pk, "crop": "0,0.1,1,0.8", "quantity": 2}
    )
    assert response.status_code == 302
    basket = response.wsgi_request.basket
    [line] = basket.all_lines()
    assert (line.product, line.quantity) == (chosen, 2)
    assert selectors.line_options(line) == {
        "recadrage": "0.0000,0.1000,1.0000,0.8000", "image": f"galerie-{photo.pk}",
    }
    price = basket.strategy.fetch_for_product(chosen).price.incl_tax
    assert line.price_incl_tax == price and line.line_price_incl_tax == 2 * price
    # The basket shows that photo (its small rendition) with the crop, not the placeholder.
    html = client.get(reverse("basket:summary")).content.decode()
    assert photo.image.get_rendition("max-200x200|format-jpeg").url in html


def test_a_gallery_photo_is_printed_only_as_the_product_its_page_sells(gallery, client):
    photo = link_photo(gallery, print_parent())
    other = gallery.photos.exclude(pk=photo.pk).first()  # sold as nothing
    url = reverse("personal:product", args=[photo.print_product_id])
    assert client.get(f"{url}?photo=galerie-{other.pk}").status_code == 404
    assert client.get(f"{url}?photo=galerie-999999").status_code == 404
    assert client.get(f"{url}?photo=ailleurs-{photo.pk}").status_code == 404
    gallery.unpublish()
    assert client.get(chooser_of(photo)).status_code == 404


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


def test_the_lab_gets_the_paid_gallery_photo_even_once_its_gallery_is_offline(gallery, client):
    from booker import roles
    from tests.factories import UserFactory, user_with_role
    from tests.shop.prints import place_order, variant

    photo = link_photo(gallery, print_parent())
    visitor = UserFactory()
    client.force_login(visitor)
    client.post(chooser_of(photo), {"product": variant().pk, "crop": "0,0,1,1", "quantity": 1})
    order = place_order(visitor)
    gallery.unpublish()

    client.force_login(user_with_role(roles.SHOP_MANAGER))
    html = client.get(reverse("dashboard:personal-prints")).content.decode()
    [line] = order.lines.all()
    assert str(order.number) in html
    assert photo.image.get_rendition("max-200x200|format-jpeg").url in html
    response = client.get(reverse("dashboard:personal-print-original", args=[line.pk]))
    assert response.status_code == 200
    with photo.image.file.open("rb") as original:
        assert b"".join(response.streaming_content) == original.read()
    assert f"{order.number}-{line.pk}-" in response["Content-Disposition"]
