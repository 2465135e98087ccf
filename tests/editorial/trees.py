"""A small site with one page of every type, built directly (no demo seed: quicker, and each
test says what it needs)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.images import ImageFile
from PIL import Image as Picture
from wagtail.images.models import Image
from wagtail.models import Page, Site

from editorial.models import (
    BlogIndexPage,
    BlogPostPage,
    GalleryIndexPage,
    GalleryPage,
    GalleryPhoto,
    HistoryPage,
    HomePage,
    LandingPage,
)


def picture(title: str = "Photo", size: tuple[int, int] = (640, 480), colour="#888") -> Image:
    buffer = io.BytesIO()
    Picture.new("RGB", size, colour).save(buffer, "JPEG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name=f"{title}.jpg"))


@dataclass
class Tree:
    home: HomePage
    journal: BlogIndexPage
    post: BlogPostPage
    history: HistoryPage
    galleries: GalleryIndexPage
    gallery: GalleryPage
    landing: LandingPage

    def pages(self) -> dict[str, Page]:
        return dict(vars(self))


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def build_tree() -> Tree:
    image = picture("Couverture")
    home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Accueil", slug="accueil", hero_image=image)
    )
    home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Booké"},
    )
    journal = _publish(home, BlogIndexPage(title="Journal", slug="journal"))
    post = _publish(journal, BlogPostPage(title="Un billet", slug="billet", cover_image=image))
    history = _publish(home, HistoryPage(title="Histoire", slug="histoire"))
    galleries = _publish(home, GalleryIndexPage(title="Galeries", slug="galeries"))
    gallery = GalleryPage(title="Portraits", slug="portraits")
    gallery.photos = [GalleryPhoto(image=image, caption="Anne", sort_order=0)]
    _publish(galleries, gallery)
    landing = _publish(
        home, LandingPage(title="Portraits corporate", slug="portraits-corporate", hero_image=image)
    )
    return Tree(home, journal, post, history, galleries, gallery, landing)
