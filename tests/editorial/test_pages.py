"""The site's pages after the demo seed: every type renders, the tree has its shape."""

from datetime import date

import pytest
from django.conf import settings
from django.utils.html import escape
from wagtail.models import Page, Site

from editorial.models import (
    BlogIndexPage,
    BlogPostPage,
    GalleryIndexPage,
    GalleryPage,
    HistoryPage,
    HomePage,
)
from editorial.public_url import site_address

pytestmark = pytest.mark.django_db

PAGE_TYPES = [HomePage, BlogIndexPage, BlogPostPage, HistoryPage, GalleryIndexPage, GalleryPage]


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda m: m.__name__)
def test_each_page_type_renders_200_after_seed(seeded, client, model):
    page = model.objects.live().first()
    assert page is not None, f"the demo has no {model.__name__}"
    response = client.get(page.url)
    assert response.status_code == 200
    assert f"<title>{escape(page.seo_title or page.title)} · Booké</title>" in response.text
    assert "css/editorial.css" in response.text


def test_home_page_is_the_default_sites_root_and_wagtails_welcome_page_is_gone(seeded):
    site = Site.objects.get(is_default_site=True)
    # At SITE_URL (localhost:8000 by default), not Wagtail's localhost:80.
    assert (site.hostname, site.port) == site_address()
    assert site.root_url == settings.SITE_URL
    assert site.root_page.specific_class is HomePage
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()


def test_pages_are_served_with_webp_renditions(seeded, client):
    response = client.get(HomePage.objects.get().url)
    assert 'type="image/webp"' in response.text


def test_gallery_shows_its_photos_in_order(seeded, client):
    gallery = GalleryPage.objects.get(slug="portraits")
    captions = [photo.caption for photo in gallery.photos.all()]
    assert len(captions) >= 4
    text = client.get(gallery.url).text
    positions = [text.index(caption) for caption in captions]
    assert positions == sorted(positions)


def test_history_page_shows_five_dated_events(seeded, client):
    history = HistoryPage.objects.get()
    events = list(history.timeline)
    assert len(events) == 5
    text = client.get(history.url).text
    for event in events:
        assert str(event.value["year"]) in text
        assert event.value["title"] in text


def _post(index: BlogIndexPage, slug: str, day: date, live: bool = True, **fields) -> BlogPostPage:
    post = BlogPostPage(title=slug.replace("-", " "), slug=slug, date=day, live=live, **fields)
    index.add_child(instance=post)
    return post


def test_blog_index_lists_live_posts_newest_first_ten_per_page(seeded, client):
    journal = BlogIndexPage.objects.get()
    for day in range(1, 11):
        _post(journal, f"note-{day}", date(2027, 1, day))
    _post(journal, "draft", date(2030, 1, 1), live=False)

    first = client.get(journal.url).context["posts"]
    assert [p.slug for p in first] == [f"note-{day}" for day in range(10, 0, -1)]
    second = client.get(journal.url, {"page": 2}).context["posts"]
    assert [p.date for p in second] == sorted((p.date for p in second), reverse=True)
    assert len(second) == 3  # the three demo posts
    assert "draft" not in {p.slug for p in [*first, *second]}
    # A page number that does not exist still shows posts rather than an error.
    assert client.get(journal.url, {"page": "junk"}).status_code == 200


def test_blog_index_filters_by_tag_on_the_tags_page(seeded, client):
    journal = BlogIndexPage.objects.get()
    posts = client.get(journal.url, {"tag": "mariage"}, follow=True).context["posts"]
    assert [p.slug for p in posts] == ["mariage-automne-domaine-des-tilleuls"]


def test_blog_post_links_its_tags_to_the_tags_page(seeded, client):
    post = BlogPostPage.objects.get(slug="coulisses-de-la-retouche")
    assert f'href="{post.get_parent().url}tag/retouche/"' in client.get(post.url).text


def test_reading_time_counts_words_of_the_body_at_200_a_minute(seeded):
    journal = BlogIndexPage.objects.get()
    short = _post(journal, "court", date(2027, 1, 1), body=[("heading", "Bonjour")])
    assert short.reading_time == 1
    paragraph = "<p>" + " ".join(["mot"] * 450) + " : ; !</p>"
    long = _post(journal, "long", date(2027, 1, 2))
    long.body = [{"type": "paragraph", "value": paragraph}]
    assert long.reading_time == 3  # 450 words and a title of one: 451 / 200, rounded up


def test_page_types_only_go_where_the_site_expects_them(seeded):
    home = HomePage.objects.get()
    assert not HomePage.can_create_at(home)  # one home page, at the top
    assert not BlogPostPage.can_create_at(home)
    assert BlogPostPage.can_create_at(BlogIndexPage.objects.get())
    assert GalleryPage.can_create_at(GalleryIndexPage.objects.get())
    assert not GalleryPage.can_create_at(home)
