"""The demo seed: safe to run again, and works without the shared samples folder."""

import pytest
from django.conf import settings
from django.db.models import Count
from wagtail.images.models import Image
from wagtail.models import Page, Revision

from editorial import demo
from editorial.models import BlogPostPage, GalleryPage, HistoryPage

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "images": Image.objects.count(),
        "revisions": Revision.objects.count(),
        "live": Page.objects.live().count(),
    }


def test_seeding_twice_gives_the_same_pages_and_images(seeded):
    before = counts()
    second_log: list[str] = []
    demo.seed(second_log.append)
    assert counts() == before
    assert second_log == []


def test_seed_makes_the_demo_content(seeded):
    assert BlogPostPage.objects.live().count() == 3
    assert len(HistoryPage.objects.get().timeline) == 5
    assert GalleryPage.objects.get(slug="portraits").photos.count() >= 4
    assert not Image.objects.values("title").annotate(n=Count("id")).filter(n__gt=1).exists()


@pytest.mark.skipif(
    not (settings.STUDIO_SAMPLES_DIR / "raw").is_dir(), reason="shared samples folder is absent"
)
def test_seed_turns_the_raw_samples_into_library_images(seeded):
    for sample in demo.RAW_SAMPLES.values():
        image = Image.objects.get(title=sample.title)
        assert image.width > 0 and image.file_hash


def test_seed_paints_stand_ins_when_the_samples_folder_is_absent(no_samples, db):
    demo.seed(lambda line: None)
    assert not Image.objects.filter(title__startswith="Échantillon RAW").exists()
    for painting in demo.RAW_STAND_INS.values():
        assert Image.objects.filter(title=painting.title).exists()
    post = BlogPostPage.objects.get(slug="coulisses-de-la-retouche")
    assert post.cover_image.title == demo.RAW_STAND_INS["canon_eos_6d"].title


def test_seed_restores_demo_content_an_editor_changed(seeded):
    post = BlogPostPage.objects.get(slug="coulisses-de-la-retouche")
    post.title = "Autre titre"
    post.save_revision().publish()
    log: list[str] = []
    demo.seed(log.append)
    post.refresh_from_db()
    assert post.title == "Dans les coulisses de la retouche"
    assert log == ["page « Dans les coulisses de la retouche » (updated: title)"]
