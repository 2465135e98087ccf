"""The shop's product page shows the journal's posts and the galleries that feature the
product (editorial registers a panel in the shop's registry), and the shop imports nothing from
editorial to do it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from wagtail.models import PageViewRestriction

from editorial.panels import related_content_panel
from editorial.related import related_content
from shop.community import panels
from tests.editorial import site_tree

pytestmark = pytest.mark.django_db

SECTION = 'id="related-content-title"'


def product_block(item) -> dict:
    return {"type": "product", "value": item.pk}


def test_product_page_shows_the_post_placing_it_and_the_gallery_photo_ordering_it(
    journal, galleries, client
):
    album = site_tree.product("Album lin")
    featuring = site_tree.post(journal, "Un mariage", body=[product_block(album)])
    site_tree.post(journal, "Sans rapport", body=[product_block(site_tree.product("Autre"))])
    portraits = site_tree.gallery(galleries, "Portraits", [(site_tree.picture(), album)])
    site_tree.gallery(galleries, "Paysages", [(site_tree.picture(), None)])

    page = client.get(album.get_absolute_url()).text

    assert SECTION in page
    assert f'href="{featuring.url}"' in page
    assert f'href="{portraits.url}"' in page
    assert "Sans rapport" not in page
    assert "Paysages" not in page


def test_removing_the_block_from_the_published_post_removes_the_link(journal, client):
    album = site_tree.product("Album lin")
    featuring = site_tree.post(journal, "Un mariage", body=[product_block(album)])
    assert f'href="{featuring.url}"' in client.get(album.get_absolute_url()).text

    featuring.body = [{"type": "heading", "value": "Plus de produit"}]
    featuring.save_revision().publish()

    page = client.get(album.get_absolute_url()).text
    assert f'href="{featuring.url}"' not in page
    assert SECTION not in page


def test_a_draft_dropping_the_block_keeps_the_link_until_published(journal):
    album = site_tree.product("Album lin")
    featuring = site_tree.post(journal, "Un mariage", body=[product_block(album)])
    featuring.body = []
    featuring.save_revision()  # a draft: the public page still shows the product

    assert [p.pk for p in related_content(album).posts] == [featuring.pk]


def test_a_variants_page_shows_posts_placing_its_parent(journal):
    parent = site_tree.product("Tirage d'art", structure="parent")
    variant = site_tree.product("Tirage 20×30", structure="child", parent=parent)
    featuring = site_tree.post(journal, "Nos tirages", body=[product_block(parent)])

    assert [p.pk for p in related_content(variant).posts] == [featuring.pk]


def test_posts_placing_its_category_or_a_parent_category_are_related(journal):
    fine_art = create_from_breadcrumbs("Tirages > Fine art")
    prints = fine_art.get_parent()
    album = site_tree.product("Tirage baryta")
    album.categories.add(fine_art)
    block = {"type": "category", "value": {"category": prints.pk, "heading": "", "limit": 4}}
    featuring = site_tree.post(journal, "Nos tirages", body=[block])

    assert [p.pk for p in related_content(album).posts] == [featuring.pk]


def test_posts_tagged_with_a_category_name_whatever_the_case_come_after_explicit_links(journal):
    albums = create_from_breadcrumbs("Éditions")
    album = site_tree.product("Album lin")
    album.categories.add(albums)
    tagged = site_tree.post(journal, "Tagué", tags=["éditions"], date="2026-11-01")
    site_tree.post(journal, "Autre tag", tags=["mariage"])
    placing = site_tree.post(journal, "Placé", body=[product_block(album)], date="2026-01-01")

    assert [p.pk for p in related_content(album).posts] == [placing.pk, tagged.pk]


def test_drafts_unpublished_and_private_pages_are_left_out(journal, galleries, client):
    album = site_tree.product("Album lin")
    site_tree.post(journal, "Brouillon", body=[product_block(album)], publish=False)
    private = site_tree.post(journal, "Privé", body=[product_block(album)])
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    hidden = site_tree.gallery(galleries, "Retirée", [(site_tree.picture(), album)])
    hidden.unpublish()

    assert not related_content(album)
    assert SECTION not in client.get(album.get_absolute_url()).text


def test_at_most_four_posts_and_four_galleries_in_a_fixed_number_of_queries(journal, galleries):
    album = site_tree.product("Album lin")
    album.categories.add(create_from_breadcrumbs("Albums"))
    request = RequestFactory().get(album.get_absolute_url())

    def add(n: int) -> None:
        site_tree.post(journal, f"Billet {n}", body=[product_block(album)],
                       cover_image=site_tree.picture())
        site_tree.post(journal, f"Tagué {n}", tags=["albums"])
        site_tree.gallery(galleries, f"Galerie {n}", [(site_tree.picture(), album)])

    def render() -> tuple[str, list[str]]:
        html = related_content_panel(album, request)
        with site_tree.counted_queries() as queries:  # thumbnails exist after a first render
            assert related_content_panel(album, request) == html
        return html, queries

    add(0)
    html, one_each = render()
    assert html.count('class="card h-100 related-card') == 3
    for n in range(1, 6):
        add(n)
    html, many = render()
    assert html.count("related-post") == 4 and html.count("related-gallery") == 4
    assert len(many) <= len(one_each), "\n".join(many)


def test_panel_html_from_a_registered_panel_shows_and_plain_text_is_escaped(client):
    album = site_tree.product("Album lin")
    panels.register_product_panel("test.plain", lambda product, request: "<b>brut</b>")
    try:
        page = client.get(album.get_absolute_url()).text
    finally:
        panels.unregister_product_panel("test.plain")
    assert "&lt;b&gt;brut&lt;/b&gt;" in page


def test_editorial_registers_its_panel_with_the_shop():
    assert "editorial.related_content" in panels.registered_product_panels()


def test_shop_code_imports_nothing_from_editorial():
    shop = Path(settings.BASE_DIR) / "shop"
    offenders = []
    for source in shop.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(name == "editorial" or name.startswith("editorial.") for name in names):
                offenders.append(f"{source.relative_to(shop.parent)}:{node.lineno}")
    assert offenders == []
