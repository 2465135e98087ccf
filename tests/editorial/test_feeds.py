"""The journal's RSS and Atom feeds: valid XML, the latest published post first, linked from
the journal's pages."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse

from editorial.models import BlogIndexPage, BlogPostPage

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def journal(seeded) -> BlogIndexPage:
    journal = BlogIndexPage.objects.get()
    # A newer post, and a newer draft that the feeds must not show.
    journal.add_child(
        instance=BlogPostPage(
            title="Le tout dernier billet",
            slug="dernier",
            date=date(2030, 1, 2),
            author_name="Léa <Dupont>",
            intro="Ce qui est nouveau & à venir.",
        )
    )
    journal.add_child(
        instance=BlogPostPage(
            title="Pas encore", slug="pas-encore", date=date(2031, 1, 1), live=False
        )
    )
    return journal


def test_rss_lists_the_latest_published_post_first(journal, client):
    response = client.get(reverse("blog-feed-rss", args=[journal.pk]))
    assert response.status_code == 200
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    titles = [item.findtext("title") for item in items]
    expected = [post.title for post in journal.posts()]
    assert titles == expected
    assert titles[0] == "Le tout dernier billet"
    assert "Pas encore" not in titles
    first = items[0]
    assert first.findtext("link") == BlogPostPage.objects.get(slug="dernier").full_url
    assert first.findtext("description") == "Ce qui est nouveau & à venir."
    assert first.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Léa <Dupont>"
    assert "2030" in first.findtext("pubDate")


def test_atom_lists_the_latest_published_post_first(journal, client):
    response = client.get(reverse("blog-feed-atom", args=[journal.pk]))
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    entries = feed.findall("a:entry", ATOM)
    titles = [entry.findtext("a:title", namespaces=ATOM) for entry in entries]
    assert titles == [post.title for post in journal.posts()]
    first = entries[0]
    newest = BlogPostPage.objects.get(slug="dernier")
    assert first.find("a:link", ATOM).get("href") == newest.full_url
    assert first.findtext("a:author/a:name", namespaces=ATOM) == "Léa <Dupont>"
    assert first.findtext("a:published", namespaces=ATOM).startswith("2030-01-02")


def test_feed_of_an_unpublished_journal_is_not_found(journal, client):
    journal.unpublish()
    assert client.get(reverse("blog-feed-rss", args=[journal.pk])).status_code == 404
    assert client.get(reverse("blog-feed-atom", args=[journal.pk])).status_code == 404


def test_journal_and_its_posts_link_to_the_feeds(journal, client):
    rss = reverse("blog-feed-rss", args=[journal.pk])
    atom = reverse("blog-feed-atom", args=[journal.pk])
    for page in [journal, journal.get_children().live().first()]:
        text = client.get(page.url).text
        assert f'type="application/rss+xml" title="{journal.title} (RSS)" href="{rss}"' in text
        assert f'type="application/atom+xml" title="{journal.title} (Atom)" href="{atom}"' in text
