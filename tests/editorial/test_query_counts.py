"""Pages render in a bounded number of queries: the home page with all its sections, and a
post whose query count does not grow with its number of blocks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.test.factories import create_product, create_product_image

from editorial.blocks import searchable_text
from editorial.models import BlogPostPage, GalleryPage, GalleryPhoto, HomeFeaturedGallery

from .trees import build_tree, picture

pytestmark = pytest.mark.django_db

# Measured on SQLite with a warm page (renditions and thumbnails made by a first view): 28
# for the home page, 16 for a 3-block post and 21 for a 20-block one, 12 for a gallery page,
# 17 for a landing page; a small margin above.
HOME_MAX_QUERIES = 30
POST_MAX_QUERIES = 23
GALLERY_MAX_QUERIES = 14
LANDING_MAX_QUERIES = 19
# What the 17 extra blocks may cost beyond the 3-block post: nothing per block, a few queries
# per block *type* reached for the first time (images, pages, products are loaded in bulk;
# the renditions of all pictures in one query).
EXTRA_BLOCKS_ALLOWANCE = 5


@pytest.fixture
def tree():
    return build_tree()


def _product(n: int):
    product = create_product(title=f"Produit {n}", price=Decimal("20.00"), num_in_stock=3)
    create_product_image(product=product)
    return product


def _warm_count(client, url: str) -> tuple[int, str]:
    client.get(url)  # renditions and thumbnails are made on the first view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.text


def _blocks(n: int, images, products, landing) -> list[dict]:
    kinds = [
        lambda i: {"type": "heading", "value": f"Titre {i}"},
        lambda i: {"type": "paragraph", "value": f"<p>Paragraphe {i}</p>"},
        lambda i: {"type": "product", "value": products[i % len(products)].pk},
        lambda i: {"type": "image", "value": {"image": images[i % len(images)].pk, "caption": ""}},
        lambda i: {"type": "quote", "value": {"text": f"Citation {i}", "attribution": ""}},
        lambda i: {
            "type": "gallery",
            "value": {"title": "", "images": [{"image": im.pk, "caption": ""} for im in images]},
        },
        lambda i: {
            "type": "call_to_action",
            "value": {"title": "Réservez", "text": "", "button_label": "Réserver",
                      "page": landing.pk, "url": ""},
        },
    ]
    return [kinds[i % len(kinds)](i) for i in range(n)]


def test_home_page_renders_in_a_bounded_number_of_queries(tree, client):
    home = tree.home
    galleries = []
    for n in range(4):
        gallery = GalleryPage(title=f"Galerie {n}", slug=f"galerie-{n}")
        gallery.photos = [
            GalleryPhoto(image=picture(f"G{n}-{k}"), sort_order=k) for k in range(3)
        ]
        tree.galleries.add_child(instance=gallery)
        gallery.save_revision().publish()
        galleries.append(gallery)
    products = [_product(n) for n in range(4)]
    home.featured_galleries = [
        HomeFeaturedGallery(gallery=g, sort_order=i) for i, g in enumerate(galleries)
    ]
    home.featured_products = [{"type": "product", "value": p.pk} for p in products]
    home.hero_button_label, home.hero_button_page = "Galeries", tree.galleries
    home.booking_text, home.booking_page = "Parlons-en.", tree.landing
    home.body = _blocks(7, [picture("B1"), picture("B2")], products, tree.landing)
    home.save_revision().publish()

    count, text = _warm_count(client, home.url)
    print(f"home page: {count} queries")
    assert count <= HOME_MAX_QUERIES
    assert text.count("gallery-card") >= 4
    assert text.count('class="card product-card"') >= 4


def test_twenty_blocks_cost_no_more_than_three_plus_a_constant(tree, client):
    images = [picture(f"Image {n}") for n in range(3)]
    products = [_product(n) for n in range(3)]
    post = tree.post
    post.body = _blocks(20, images, products, tree.landing)
    post.save_revision().publish()
    short_body = _blocks(3, images, products, tree.landing)
    short = tree.journal.add_child(
        instance=BlogPostPage(title="Court", slug="court", body=short_body)
    )
    short.save_revision().publish()

    short_count, _ = _warm_count(client, short.url)
    long_count, text = _warm_count(client, post.url)
    print(f"post with 3 blocks: {short_count} queries, with 20 blocks: {long_count}")
    assert text.count("story-cta") == 2
    assert long_count <= short_count + EXTRA_BLOCKS_ALLOWANCE
    assert long_count <= POST_MAX_QUERIES


def test_gallery_page_costs_the_same_with_twelve_photos_as_with_one(tree, client):
    gallery = tree.gallery
    one_count, _ = _warm_count(client, gallery.url)
    gallery.photos = [GalleryPhoto(image=picture(f"P{n}"), sort_order=n) for n in range(12)]
    gallery.save_revision().publish()
    twelve_count, text = _warm_count(client, gallery.url)
    print(f"gallery page: {one_count} queries with 1 photo, {twelve_count} with 12")
    assert text.count("data-lightbox-item") == 12
    assert twelve_count == one_count
    assert twelve_count <= GALLERY_MAX_QUERIES


def test_landing_page_renders_in_a_bounded_number_of_queries(tree, client):
    landing = tree.landing
    landing.hero_image = picture("Hero")
    landing.body = _blocks(7, [picture("L1"), picture("L2")], [_product(0)], tree.landing)
    landing.save_revision().publish()
    count, text = _warm_count(client, landing.url)
    print(f"landing page: {count} queries")
    assert "story-cta" in text
    assert count <= LANDING_MAX_QUERIES


def test_reading_time_counts_the_indexed_words_without_loading_products_or_images(tree):
    images = [picture(f"Image {n}") for n in range(2)]
    products = [_product(n) for n in range(2)]
    post = tree.post
    post.body = _blocks(14, images, products, tree.landing)
    post.save_revision().publish()

    fresh = BlogPostPage.objects.get(pk=post.pk)
    with CaptureQueriesContext(connection) as queries:
        minutes = fresh.reading_time
    assert len(queries) == 0
    loaded = BlogPostPage.objects.get(pk=post.pk).body
    indexed = loaded.stream_block.get_searchable_content(loaded)
    assert searchable_text(fresh.body.stream_block, list(fresh.body.raw_data)) == indexed
    assert "Citation 4" in indexed and minutes == 1
