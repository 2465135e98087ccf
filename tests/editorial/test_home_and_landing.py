"""The home page's sections, the landing page of a session type with its package, the gallery
grids with their lightbox."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency
from oscar.test.factories import create_product

from editorial.models import GalleryPage, GalleryPhoto, HomeFeaturedGallery, LandingPage
from shop.demo import SESSION
from tests.factories import UserFactory

from .trees import build_tree, picture

pytestmark = pytest.mark.django_db

ProductClass = get_model("catalogue", "ProductClass")


@pytest.fixture
def tree():
    return build_tree()


def _session_package(title: str = "Séance portrait en studio (1 h)", price: str = "150.00"):
    product_class, _ = ProductClass.objects.get_or_create(
        slug=SESSION.slug,
        defaults={"name": SESSION.name, "requires_shipping": False, "track_stock": False},
    )
    product = create_product(
        title=title, price=Decimal(price), product_class=product_class, num_in_stock=None
    )
    product.is_public = False  # sold through booking, not the catalogue
    product.save()
    return product


def _gallery(tree, slug: str, live: bool = True) -> GalleryPage:
    gallery = GalleryPage(title=slug.capitalize(), slug=slug)
    gallery.photos = [GalleryPhoto(image=picture(slug), caption=slug, sort_order=0)]
    tree.galleries.add_child(instance=gallery)
    revision = gallery.save_revision()
    if live:
        revision.publish()
    else:
        gallery.unpublish()
    return gallery


# --- Home ---------------------------------------------------------------------------------


def test_home_shows_featured_galleries_in_the_editors_order_and_skips_unpublished(tree, client):
    first, second = _gallery(tree, "mariages"), _gallery(tree, "entreprises")
    hidden = _gallery(tree, "brouillons", live=False)
    home = tree.home
    home.featured_galleries = [
        HomeFeaturedGallery(gallery=g, sort_order=i) for i, g in enumerate([second, hidden, first])
    ]
    home.save_revision().publish()

    text = client.get(home.url).text
    assert text.index(second.url) < text.index(first.url)
    assert hidden.url not in text


def test_home_hero_button_and_call_to_book_go_to_the_chosen_pages(tree, client):
    home = tree.home
    home.hero_button_label = "Voir les galeries"
    home.hero_button_page = tree.galleries
    home.booking_text = "Parlons de votre séance."
    home.booking_button_label = "Nos formules"
    home.booking_page = tree.landing
    home.save_revision().publish()

    text = client.get(home.url).text
    assert f'<a class="btn" href="{tree.galleries.url}">Voir les galeries</a>' in text
    assert "Parlons de votre séance." in text
    assert f'<a class="btn" href="{tree.landing.url}">Nos formules</a>' in text


def test_call_to_book_hides_when_its_page_is_unpublished(tree, client):
    home = tree.home
    home.booking_text = "Parlons de votre séance."
    home.booking_page = tree.landing
    home.save_revision().publish()
    tree.landing.unpublish()

    assert "Parlons de votre séance." not in client.get(home.url).text


def test_home_refuses_a_button_without_a_page(tree):
    home = tree.home
    home.booking_text = "Parlons de votre séance."
    with pytest.raises(ValidationError) as error:
        home.full_clean()
    assert "booking_page" in error.value.message_dict


def test_hero_picture_keeps_its_focal_point_on_a_narrow_screen(tree, client):
    image = tree.home.hero_image
    image.focal_point_x, image.focal_point_y = 100, 100
    image.focal_point_width = image.focal_point_height = 40
    image.save()
    text = client.get(tree.home.url).text
    # 640×480 cropped to 16:9 around the point (100, 100): the point sits left, high.
    assert 'style="object-position: 15' in text
    assert 'class="hero-image"' in text


# --- Landing page --------------------------------------------------------------------------


def test_landing_page_shows_its_package_with_the_price_incl_vat_and_a_booking_button(
    tree, client
):
    landing = tree.landing
    landing.package = _session_package(price="150.00")
    landing.booking_page = tree.home
    landing.save_revision().publish()

    text = client.get(landing.url).text
    assert "Séance portrait en studio (1 h)" in text
    assert currency(Decimal("150.00"), "EUR") in text  # typed TTC
    assert f'<a class="btn" href="{tree.home.url}">' in text


def test_package_price_follows_the_shop(tree, client):
    landing = tree.landing
    landing.package = package = _session_package(price="150.00")
    landing.save_revision().publish()
    package.stockrecords.update(price=Decimal("100.00"))

    assert currency(Decimal("100.00"), "EUR") in client.get(landing.url).text


def test_booking_button_uses_the_address_and_hides_without_any_destination(tree, client):
    landing = tree.landing
    assert "btn" not in client.get(landing.url).text.split('class="hero"')[1].split("</section>")[0]

    landing.booking_url = "https://agenda.exemple.fr/booke"
    landing.save_revision().publish()
    assert 'href="https://agenda.exemple.fr/booke"' in client.get(landing.url).text


def test_landing_page_refuses_both_a_booking_page_and_an_address(tree):
    landing = LandingPage.objects.get(pk=tree.landing.pk)
    landing.booking_page = tree.home
    landing.booking_url = "https://agenda.exemple.fr/booke"
    with pytest.raises(ValidationError) as error:
        landing.full_clean()
    assert {"booking_page", "booking_url"} <= set(error.value.message_dict)


def test_package_chooser_offers_session_packages_only(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    _session_package()
    create_product(title="Album lin", price=Decimal("100.00"))

    text = client.get(reverse("package_chooser:choose")).json()["html"]
    assert "Séance portrait en studio" in text
    assert "Album lin" not in text


# --- Gallery grids and the lightbox ------------------------------------------------------


def test_gallery_page_photos_open_in_the_lightbox_with_modern_formats(tree, client):
    text = client.get(tree.gallery.url).text
    assert "data-lightbox" in text
    assert "data-lightbox-item" in text
    assert 'type="image/avif"' in text
    assert 'type="image/webp"' in text
    assert 'loading="lazy"' in text
    assert re.search(r'<img [^>]*height="480"[^>]*width="360"', text)  # no layout shift
    assert "editorial/lightbox.js" in text


def test_gallery_block_in_a_post_renders_a_lightbox_grid_with_captions(tree, client):
    images = [picture(f"Photo {n}") for n in range(3)]
    post = tree.post
    post.body = [
        {
            "type": "gallery",
            "value": {
                "title": "La journée",
                "images": [
                    {"image": image.pk, "caption": f"Légende {n}"}
                    for n, image in enumerate(images)
                ],
            },
        }
    ]
    post.save_revision().publish()

    text = client.get(post.url).text
    grid = text.split('class="story-gallery"')[1].split("</section>")[0]
    assert grid.count("data-lightbox-item") == 3
    assert "Légende 2" in grid
    assert 'type="image/avif"' in grid
