"""A minimal public site for tests that need a few pages and products, without the demo's
painted pictures: home, journal, galleries, and helpers to add posts, galleries, products."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection
from django.utils.text import slugify
from oscar.test.factories import create_product, create_product_image
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site

from editorial.models import (
    BlogIndexPage,
    BlogPostPage,
    GalleryIndexPage,
    GalleryPage,
    GalleryPhoto,
    HomePage,
)


def build_site() -> tuple[HomePage, BlogIndexPage, GalleryIndexPage]:
    home = Page.get_first_root_node().add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    journal = home.add_child(instance=BlogIndexPage(title="Journal", slug="journal"))
    galleries = home.add_child(instance=GalleryIndexPage(title="Galeries", slug="galeries"))
    return home, journal, galleries


def picture(title: str = "Photo") -> Image:
    return Image.objects.create(title=title, file=get_test_image_file(size=(64, 48)))


def post(
    journal: BlogIndexPage,
    title: str,
    body: list[dict] | None = None,
    tags: list[str] | None = None,
    publish: bool = True,
    **fields,
) -> BlogPostPage:
    slug = fields.pop("slug", None) or slugify(title)
    page = BlogPostPage(title=title, slug=slug, body=body or [], **fields)
    journal.add_child(instance=page)
    if tags:
        page.tags.set(tags)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.unpublish()
    return page


def gallery(galleries: GalleryIndexPage, title: str, photos: list[tuple[Image, object]]):
    page = GalleryPage(title=title, slug=slugify(title))
    page.photos = [
        GalleryPhoto(image=image, print_product=product, sort_order=n)
        for n, (image, product) in enumerate(photos)
    ]
    galleries.add_child(instance=page)
    page.save_revision().publish()
    return page


def product(title: str, price: str = "100.00", image: bool = False, **kwargs):
    item = create_product(title=title, price=Decimal(price), num_in_stock=5, **kwargs)
    if image:
        create_product_image(product=item, original=get_test_image_file(size=(64, 48)))
    return item


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL run inside the block. Counted at execution, so that a full or reset debug
    log (CaptureQueriesContext's source) cannot make a count look small."""
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries
