"""The journal's categories and tags: each has its own paginated page on the journal, posts show
their categories, editors manage categories in /cms/, and the sitemap lists category and tag
pages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from booker import roles
from editorial.models import BlogCategory, BlogIndexPage, BlogPostPage
from tests.factories import user_with_role

from .trees import build_tree, picture

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# Measured on SQLite with warm renditions; what matters is that it does not grow with posts.
CATEGORY_PAGE_MAX_QUERIES = 30


@pytest.fixture
def tree():
    return build_tree()


@pytest.fixture
def wedding():
    return BlogCategory.objects.create(name="Mariage", slug="mariage", description="Nos mariages.")


@pytest.fixture
def portrait():
    return BlogCategory.objects.create(name="Portrait", slug="portrait")


def _post(journal: BlogIndexPage, slug: str, day: date, categories=(), tags=(), live=True,
          **fields) -> BlogPostPage:
    post = BlogPostPage(title=slug.replace("-", " "), slug=slug, date=day, **fields)
    journal.add_child(instance=post)
    post.categories.set(categories)
    post.tags.set(list(tags))
    if live:
        post.save_revision().publish()
    else:
        post.live = False
        post.save()
    return post


def _category_url(journal: BlogIndexPage, slug: str) -> str:
    return f"{journal.url}categorie/{slug}/"


def _canonical(html: str) -> str:
    return re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)


def test_category_page_lists_only_its_live_posts_newest_first(tree, wedding, portrait, client):
    _post(tree.journal, "ceremonie", date(2027, 1, 2), [wedding])
    _post(tree.journal, "soiree", date(2027, 1, 5), [wedding, portrait])
    _post(tree.journal, "studio", date(2027, 1, 9), [portrait])
    _post(tree.journal, "brouillon", date(2027, 1, 9), [wedding], live=False)

    response = client.get(_category_url(tree.journal, "mariage"))

    assert response.status_code == 200
    assert [p.slug for p in response.context["posts"]] == ["soiree", "ceremonie"]
    assert "<h1>Mariage</h1>" in response.text
    assert "Nos mariages." in response.text


@pytest.mark.slow
def test_category_page_is_paginated_with_the_page_in_its_canonical_and_prev_next(
    tree, wedding, client
):
    for day in range(1, 13):
        _post(tree.journal, f"note-{day}", date(2027, 1, day), [wedding])
    url = _category_url(tree.journal, "mariage")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(first.context["posts"]) == 10
    assert [p.slug for p in second.context["posts"]] == ["note-2", "note-1"]
    assert _canonical(first.text).endswith("/journal/categorie/mariage/")
    assert _canonical(second.text).endswith("/journal/categorie/mariage/?page=2")
    assert re.search(r'<link rel="next" href="[^"]+/categorie/mariage/\?page=2">', first.text)
    # Page 1's address is the list's own, without ?page=1.
    assert re.search(r'<link rel="prev" href="[^"]+/categorie/mariage/">', second.text)
    assert 'rel="prev"' not in first.text.split("</head>")[0]


@pytest.mark.slow
def test_journal_canonical_keeps_the_page_number_beyond_the_first(tree, client):
    for day in range(1, 12):
        _post(tree.journal, f"note-{day}", date(2027, 1, day))
    assert _canonical(client.get(tree.journal.url).text).endswith("/journal/")
    assert _canonical(client.get(tree.journal.url, {"page": 2}).text).endswith("/journal/?page=2")


def test_an_empty_category_shows_its_page_with_a_message(tree, wedding, client):
    response = client.get(_category_url(tree.journal, "mariage"))
    assert response.status_code == 200
    assert "Aucun article dans cette catégorie" in response.text


def test_unknown_category_or_tag_is_not_found(tree, client):
    assert client.get(_category_url(tree.journal, "inconnue")).status_code == 404
    assert client.get(f"{tree.journal.url}tag/inconnu/").status_code == 404
    assert client.get(tree.journal.url, {"tag": "inconnu"}).status_code == 404


def test_tag_page_lists_the_posts_with_that_tag(tree, client):
    _post(tree.journal, "retouche-peau", date(2027, 1, 2), tags=["retouche"])
    _post(tree.journal, "lumiere", date(2027, 1, 3), tags=["lumière"])

    response = client.get(f"{tree.journal.url}tag/retouche/")

    assert response.status_code == 200
    assert [p.slug for p in response.context["posts"]] == ["retouche-peau"]
    assert "retouche" in response.context["listing"].heading
    assert _canonical(response.text).endswith("/journal/tag/retouche/")


def test_a_post_with_an_accented_tag_links_to_that_tags_page(tree, client):
    post = _post(tree.journal, "ceremonie", date(2027, 1, 2), tags=["Église"])

    page = client.get(post.url)

    assert page.status_code == 200
    assert 'href="/journal/tag/%C3%A9glise/"' in page.text
    listing = client.get("/journal/tag/%C3%A9glise/")
    assert listing.status_code == 200
    assert [p.slug for p in listing.context["posts"]] == ["ceremonie"]


def test_old_tag_filter_redirects_permanently_to_the_tag_page(tree, client):
    _post(tree.journal, "retouche-peau", date(2027, 1, 2), tags=["retouche"])

    response = client.get(tree.journal.url, {"tag": "retouche", "page": "2"})

    assert response.status_code == 301
    assert response["Location"] == f"{tree.journal.url}tag/retouche/?page=2"


def test_post_and_its_card_show_its_categories_linked_to_their_pages(
    tree, wedding, portrait, client
):
    post = _post(tree.journal, "ceremonie", date(2027, 1, 2), [wedding])
    link = f'href="{_category_url(tree.journal, "mariage")}"'

    post_page = client.get(post.url).text
    journal_page = client.get(tree.journal.url).text

    assert link in post_page and ">Mariage</a>" in post_page
    assert _category_url(tree.journal, "portrait") not in post_page
    card = journal_page.split('class="card post-card"')[1]
    assert link in card


def test_journal_lists_categories_with_counts_of_readable_posts_only(
    tree, wedding, portrait, client
):
    BlogCategory.objects.create(name="Vide", slug="vide")
    _post(tree.journal, "a", date(2027, 1, 1), [wedding, portrait])
    _post(tree.journal, "b", date(2027, 1, 2), [wedding])
    _post(tree.journal, "c", date(2027, 1, 3), [wedding], live=False)

    response = client.get(tree.journal.url)

    counts = {c.slug: c.post_count for c in response.context["categories"]}
    assert counts == {"mariage": 2, "portrait": 1}  # the draft and the empty category do not count
    nav = response.text.split('class="journal-categories"')[1].split("</nav>")[0]
    assert re.search(r'categorie/mariage/"[^>]*>Mariage <span class="count">2</span>', nav)


def test_categories_list_costs_the_same_queries_whatever_their_number(tree):
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            categories = tree.journal.categories_with_counts()
        return len(categories), len(queries)

    def add(n: int) -> None:
        category = BlogCategory.objects.create(name=f"Cat {n}", slug=f"cat-{n}")
        _post(tree.journal, f"p-{n}", date(2027, 1, n + 1), [category])

    add(0)
    one, queries_for_one = count()
    for n in range(1, 5):
        add(n)
    five, queries_for_five = count()

    assert (one, five) == (1, 5)
    # The categories and their counts in one query (public() reads view restrictions first).
    assert queries_for_five == queries_for_one <= 2


def test_an_editor_manages_categories_in_the_cms_and_a_client_cannot(tree, client):
    client.force_login(user_with_role(roles.EDITOR))
    assert client.get("/cms/snippets/editorial/blogcategory/").status_code == 200
    response = client.post(
        "/cms/snippets/editorial/blogcategory/add/",
        {"name": "Coulisses", "slug": "coulisses", "description": ""},
    )
    assert response.status_code == 302
    assert BlogCategory.objects.filter(slug="coulisses").exists()
    # The post editor offers the categories as checkboxes.
    edit = client.get(f"/cms/pages/{tree.post.pk}/edit/")
    assert 'type="checkbox" name="categories"' in edit.text

    client.force_login(user_with_role(None))
    response = client.post(
        "/cms/snippets/editorial/blogcategory/add/", {"name": "Pirate", "slug": "pirate"}
    )
    assert response.status_code in (302, 403)
    assert not BlogCategory.objects.filter(slug="pirate").exists()


def test_sitemap_lists_category_pages_that_have_posts(tree, wedding, portrait, client):
    _post(tree.journal, "ceremonie", date(2027, 1, 2), [wedding])

    root = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in root.findall("sm:url/sm:loc", NS)]

    assert any(loc.endswith("/journal/categorie/mariage/") for loc in locations)
    assert not any(loc.endswith("/journal/categorie/portrait/") for loc in locations)


def test_sitemap_lists_tag_pages_that_have_live_posts_with_their_latest_publication(
    tree, client
):
    _post(tree.journal, "ceremonie", date(2027, 1, 2), tags=["plein air", "Église"])
    latest = _post(tree.journal, "cocktail", date(2027, 1, 3), tags=["plein air", "cocktail"])
    _post(tree.journal, "brouillon", date(2027, 1, 4), tags=["brouillon"], live=False)
    Tag.objects.create(name="vide", slug="vide")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    urls = ET.fromstring(response.content).findall("sm:url", NS)
    tags = {
        url.find("sm:loc", NS).text.rsplit("/journal/tag/", 1)[1]: url.find("sm:lastmod", NS)
        for url in urls
        if "/journal/tag/" in url.find("sm:loc", NS).text
    }
    assert sorted(tags) == ["%C3%A9glise/", "cocktail/", "plein-air/"]
    latest.refresh_from_db()
    # The site's day (Paris), not UTC's: around midnight they differ.
    published_on = timezone.localdate(latest.last_published_at).isoformat()
    assert tags["plein-air/"].text.startswith(published_on)
    assert client.get(f"{tree.journal.url}tag/plein-air/").status_code == 200


def test_category_feed_has_only_the_categorys_posts(tree, wedding, client):
    _post(tree.journal, "ceremonie", date(2027, 1, 2), [wedding])
    _post(tree.journal, "autre", date(2027, 1, 3))

    response = client.get(f"/feeds/journal/{tree.journal.pk}/categorie/mariage/rss/")

    assert response.status_code == 200
    assert "ceremonie" in response.text and "/autre/" not in response.text
    assert client.get(f"/feeds/journal/{tree.journal.pk}/categorie/x/rss/").status_code == 404


@pytest.mark.slow
def test_category_page_queries_do_not_grow_with_its_posts(tree, wedding, portrait, client):
    url = _category_url(tree.journal, "mariage")

    def warm_count() -> int:
        client.get(url)  # renditions are made on the first view
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for n in range(2):
        _post(tree.journal, f"a-{n}", date(2027, 1, n + 1), [wedding, portrait],
              cover_image=picture(f"A{n}"), tags=["t"])
    few = warm_count()
    for n in range(6):
        _post(tree.journal, f"b-{n}", date(2027, 2, n + 1), [wedding, portrait],
              cover_image=picture(f"B{n}"), tags=["t"])
    many = warm_count()

    assert many == few
    assert many <= CATEGORY_PAGE_MAX_QUERIES
