"""Every site page carries its canonical URL and its OpenGraph and Twitter card meta; a post
carries its schema.org BlogPosting, safely escaped."""

import json
import re
from html import unescape

import pytest
from wagtail.models import Page

from editorial.models import BlogIndexPage, BlogPostPage, HomePage

from .test_pages import PAGE_TYPES

pytestmark = pytest.mark.django_db


def _meta(text: str, attribute: str, name: str) -> str | None:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', text)
    return unescape(match.group(1)) if match else None


def _json_ld(text: str) -> list[dict]:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    return [json.loads(script) for script in scripts]


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda m: m.__name__)
def test_every_page_type_has_canonical_and_social_meta(seeded, client, model):
    page: Page = model.objects.live().first().specific
    text = client.get(page.url).text
    assert f'<link rel="canonical" href="{page.full_url}">' in text
    assert _meta(text, "property", "og:url") == page.full_url
    assert _meta(text, "property", "og:title") == (page.seo_title or page.title)
    assert _meta(text, "name", "twitter:title") == (page.seo_title or page.title)
    assert _meta(text, "property", "og:site_name") == "Booké"
    assert _meta(text, "name", "twitter:card") in {"summary", "summary_large_image"}


def test_home_shares_its_hero_picture_and_description(seeded, client):
    home = HomePage.objects.get()
    text = client.get(home.url).text
    image = _meta(text, "property", "og:image")
    # On the page's own site, as its canonical URL is.
    assert image.startswith(home.get_site().root_url + "/media/") and "fill-1200x630" in image
    assert _meta(text, "name", "twitter:card") == "summary_large_image"
    assert _meta(text, "property", "og:description")


def test_post_describes_itself_as_an_article_with_blog_posting_json_ld(seeded, client):
    post = BlogPostPage.objects.live().exclude(cover_image=None).first()
    post.search_description = ""
    post.title = 'Titre avec </script><script>alert("x")</script> & co'
    post.save_revision().publish()
    text = client.get(post.url).text
    assert "<script>alert" not in text
    assert _meta(text, "property", "og:type") == "article"
    assert _meta(text, "property", "og:description") == " ".join(post.intro.split())[:200]
    (data,) = _json_ld(text)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == post.title
    assert data["datePublished"] == post.date.isoformat()
    assert data["author"] == {"@type": "Person", "name": post.author_name}
    # The studio from the site settings: its name, logo (absolute) and social networks.
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "Booké"
    assert data["publisher"]["logo"]["url"].startswith(post.get_site().root_url + "/media/")
    assert "https://www.instagram.com/studio.booke/" in data["publisher"]["sameAs"]
    assert data["url"] == post.full_url
    assert data["image"] == [_meta(text, "property", "og:image")]


def test_pages_other_than_posts_carry_no_article_json_ld(seeded, client):
    assert _json_ld(client.get(HomePage.objects.get().url).text) == []


def test_preview_of_a_post_not_saved_yet_renders_its_meta(seeded):
    journal = BlogIndexPage.objects.get()
    post = BlogPostPage(title="Un billet en cours", slug="en-cours", intro="Bientôt.")
    # Where Wagtail's "preview on add" puts a new page: in the tree, but not saved.
    post.depth = journal.depth + 1
    post.path = journal.get_last_child()._inc_path()
    post.set_url_path(journal)
    response = post.make_preview_request()
    assert response.status_code == 200
    text = response.content.decode()
    assert _meta(text, "property", "og:title") == "Un billet en cours"
    (data,) = _json_ld(text)
    assert data["headline"] == "Un billet en cours"
