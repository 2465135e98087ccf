"""The site search: one box in the header, one list of pages and products, best first; only
what a visitor may see; paginated; cacheable; a fixed number of queries per page of results."""

from __future__ import annotations

import haystack
import pytest
from django.db import connection
from django.urls import reverse
from oscar.core.loading import get_model
from wagtail.models import PageViewRestriction

from editorial import search
from editorial.search import PAGE, PRODUCT, Hit
from tests.editorial import site_tree
from tests.factories import UserFactory

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db

URL = "/recherche/"


def index_products(*products) -> None:
    """Put products in the shop's search index, as the realtime signal processor does in
    production (the test settings turn it off)."""
    connection_ = haystack.connections["default"]
    index = connection_.get_unified_index().get_index(Product)
    connection_.get_backend().update(index, Product.objects.filter(pk__in=[p.pk for p in products]))


def paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def titles(response) -> list[str]:
    return [result.title for result in response.context["results"]]


def test_the_url_is_named_and_served_before_wagtails_pages():
    assert reverse("site-search") == URL


def test_a_word_in_a_post_and_in_a_product_title_gives_both_in_one_list(
    journal, search_index, client
):
    post = site_tree.post(journal, "Sous les tilleuls", body=[paragraph("Un mariage.")])
    product = site_tree.product("Tirage des tilleuls", image=True)
    site_tree.post(journal, "Autre chose", body=[paragraph("Rien à voir.")])
    index_products(product, site_tree.product("Album lin"))

    response = client.get(URL, {"q": "tilleuls"})

    assert response.status_code == 200
    results = response.context["results"]
    assert sorted(r.title for r in results) == ["Sous les tilleuls", "Tirage des tilleuls"]
    by_title = {r.title: r for r in results}
    assert by_title["Sous les tilleuls"].label == search.PAGE_KINDS[type(post)]
    assert by_title["Sous les tilleuls"].url == post.url
    assert by_title["Tirage des tilleuls"].kind == PRODUCT
    text = response.text
    assert f'href="{post.url}"' in text and f'href="{product.get_absolute_url()}"' in text
    assert "100,00" in text  # typed TTC, shown as typed


def test_words_in_a_post_body_are_found_with_its_intro_as_snippet(journal, client):
    site_tree.post(
        journal, "Un reportage", intro="Une journée au bord de l'eau.",
        body=[paragraph("Des libellules partout.")],
    )
    response = client.get(URL, {"q": "libellules"})
    [result] = response.context["results"]
    assert result.title == "Un reportage"
    assert result.snippet == "Une journée au bord de l'eau."


def test_drafts_unpublished_and_private_pages_are_not_found(journal, client):
    site_tree.post(journal, "Brouillon libellules", publish=False)
    withdrawn = site_tree.post(journal, "Retiré libellules")
    withdrawn.unpublish()
    private = site_tree.post(journal, "Privé libellules")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    site_tree.post(journal, "Public libellules")

    assert titles(client.get(URL, {"q": "libellules"})) == ["Public libellules"]


def test_products_not_public_are_not_found_even_while_the_index_still_has_them(
    search_index, client
):
    shown = site_tree.product("Album libellules")
    hidden = site_tree.product("Coffret libellules")
    index_products(shown, hidden)
    Product.objects.filter(pk=hidden.pk).update(is_public=False)  # the index lags behind

    assert titles(client.get(URL, {"q": "libellules"})) == ["Album libellules"]


def test_an_empty_query_searches_nothing(journal, client):
    site_tree.post(journal, "Un billet")
    response = client.get(URL, {"q": "   "})
    assert response.status_code == 200
    assert response.context["results"] == []
    assert "search-empty" not in response.text


def test_no_result_says_so(site_pages, client):
    response = client.get(URL, {"q": "zzyzx"})
    assert response.context["results"] == []
    assert 'class="search-empty"' in response.text


@pytest.mark.slow
def test_results_come_twenty_a_page(journal, client):
    for n in range(25):
        site_tree.post(journal, f"Libellules {n}", slug=f"libellules-{n}")

    first = client.get(URL, {"q": "libellules"})
    second = client.get(URL, {"q": "libellules", "page": 2})

    assert len(first.context["results"]) == 20 and len(second.context["results"]) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert 'rel="next"' in first.text and "q=libellules" in first.text


@pytest.mark.slow
def test_twenty_results_cost_as_many_queries_as_three(journal, galleries, search_index, client):
    def add(n: int) -> list:
        site_tree.post(journal, f"Libellules {n}", cover_image=site_tree.picture())
        site_tree.gallery(galleries, f"Libellules galerie {n}", [(site_tree.picture(), None)])
        return [site_tree.product(f"Tirage libellules {n}", image=True)]

    products = add(0)
    index_products(*products)
    client.get(URL, {"q": "libellules"})  # thumbnails are made on the first view
    with site_tree.counted_queries() as three:
        assert len(client.get(URL, {"q": "libellules"}).context["results"]) == 3

    for n in range(1, 7):
        products += add(n)
    products.append(site_tree.product("Album libellules", image=True))
    products.append(site_tree.product("Coffret libellules", image=True))
    index_products(*products)
    client.get(URL, {"q": "libellules"})
    with site_tree.counted_queries() as twenty:
        assert len(client.get(URL, {"q": "libellules"}).context["results"]) == 20
    assert len(twenty) <= len(three), "\n".join(twenty)


def test_the_search_box_is_in_the_header_of_site_and_shop_pages(site_pages, client):
    home = site_pages[0]
    for url in [home.url, reverse("catalogue:index")]:
        text = client.get(url).text
        assert f'action="{URL}"' in text, url


def test_anonymous_results_are_cacheable_and_carry_no_token(journal, client):
    site_tree.post(journal, "Libellules")
    response = client.get(URL, {"q": "libellules"})
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in response.text
    assert client.head(URL, {"q": "libellules"}).status_code == 200
    assert client.post(URL, {"q": "libellules"}).status_code == 405


def test_a_logged_in_visitors_results_stay_private(journal, client):
    client.force_login(UserFactory())
    response = client.get(URL, {"q": "libellules"})
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_scores_of_each_engine_count_relative_to_its_best_whatever_their_sign():
    # SQLite's FTS5 scores the best page most negative; Whoosh's scores are positive.
    pages = search._hits(PAGE, [1, 2], [-8.0, -2.0])
    products = search._hits(PRODUCT, [7, 8], [3.0, 2.4])
    assert [(h.kind, h.pk) for h in search.interleave(pages, products)] == [
        (PAGE, 1), (PRODUCT, 7), (PRODUCT, 8), (PAGE, 2)
    ]


def test_an_engine_without_scores_is_ranked_by_position():
    assert search.normalised([0, 0, 0, 0]) == [1.0, 0.75, 0.5, 0.25]
    assert search.normalised([None, 2.0]) == [1.0, 0.5]
    assert search.interleave([Hit(PAGE, 1, 1.0)], [Hit(PRODUCT, 2, 1.0)])[0].kind == PAGE


@pytest.mark.parametrize(
    "query", ['"', "l'été", "tirage*", "(mariage", "NEAR(a b)", "a AND OR NOT", "-", "é" * 300]
)
def test_punctuation_and_search_syntax_are_searched_as_words(journal, search_index, client, query):
    site_tree.post(journal, "L'été au studio")
    index_products(site_tree.product("Tirage d'été"))
    response = client.get(URL, {"q": query})
    assert response.status_code == 200


def test_a_word_with_an_apostrophe_finds_pages_and_products(journal, search_index, client):
    site_tree.post(journal, "L'été au studio")
    index_products(site_tree.product("Tirage d'été"))
    found = titles(client.get(URL, {"q": "l'été"}))
    assert "L'été au studio" in found and "Tirage d'été" in found


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's FTS5 has no French stemmer (unicode61 does not stem, porter is English only):"
    " there a page is found by its exact words",
)
@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("mariages", "Mariage"),  # missed by the 'simple' config
        ("chevaux", "Cheval"),  # missed by the 'english' config too
        ("animal", "Animaux"),
    ],
)
def test_on_postgresql_a_french_plural_finds_the_singular_and_back(journal, client, query, title):
    site_tree.post(journal, title)
    site_tree.post(journal, "Paysages")
    assert titles(client.get(URL, {"q": query})) == [title]


def test_the_singular_finds_a_page_whose_title_starts_with_it_on_every_database(journal, client):
    # French Snowball stems "portrait" to "portr" and "portraits" to "portrait"; SQLite does
    # not stem: the title's prefix match is what finds the studio's "Portraits" gallery.
    site_tree.post(journal, "Portraits")
    site_tree.post(journal, "Paysages")
    assert titles(client.get(URL, {"q": "portrait"})) == ["Portraits"]


def test_full_text_hits_come_before_title_prefix_hits(journal, client):
    site_tree.post(journal, "Portraitiste à Lyon")
    site_tree.post(journal, "Portrait", body=[paragraph("Un portrait en lumière naturelle.")])
    assert titles(client.get(URL, {"q": "portrait"})) == ["Portrait", "Portraitiste à Lyon"]


@pytest.mark.parametrize(
    ("query", "title", "body"),
    [
        ("saone", "Les bords de Saône", "Un reportage."),
        ("gravee", "Un cadeau", "Une plaque gravée à la main."),
        ("ÉTÉ", "Souvenirs d'ete", "Sans accents."),  # accents typed, none in the page
    ],
)
def test_a_word_typed_without_its_accents_finds_the_page_on_every_database(
    journal, client, query, title, body
):
    site_tree.post(journal, title, body=[paragraph(body)])
    site_tree.post(journal, "Paysages", body=[paragraph("Rien à voir.")])
    assert titles(client.get(URL, {"q": query})) == [title]


@pytest.mark.parametrize(
    ("query", "title"), [("saone", "Tirage Saône"), ("gravee", "Plaque gravée")]
)
def test_a_word_typed_without_its_accents_finds_the_product(
    journal, search_index, client, query, title
):
    index_products(site_tree.product(title), site_tree.product("Album lin"))
    assert titles(client.get(URL, {"q": query})) == [title]
