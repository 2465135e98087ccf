"""Reads for the site search: one list of the site's live public pages and the shop's public
products, best first.

Pages come from Wagtail's search backend (the database backend, WAGTAILSEARCH_BACKENDS), the
live public pages of the visitor's site only. Products come from the shop's own search index,
through haystack — the index Oscar's catalogue search uses (Whoosh here, a search server in
production): the same stemming ("tirages" finds "Tirage d'art") and ranking as the shop's
search box, and a catalogue of any size ranked by the engine rather than by a LIKE scan. The
index only says *which* products match: that they are still public and not variants is checked
in the database, and prices are the strategy's at render time, never the index's copy.

The two engines' scores are not on one scale (SQLite's FTS5 even scores the best match lowest,
below zero; PostgreSQL's ranks are small positive numbers; Whoosh's BM25F larger ones). Each
engine's scores are divided by its own best score, which puts both lists on 0–1 with the best
of each at 1 whatever the sign, and the two lists are interleaved on that. An engine that gives
no usable scores (haystack's simple backend, the database fallback) is ranked by position.

Each engine returns at most MAX_HITS hits, as (kind, id, score) only; only the results of the
page shown are loaded, in a fixed number of queries whatever their number."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from haystack.query import SearchQuerySet
from oscar.core.loading import get_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from .models import BlogIndexPage, BlogPostPage, GalleryIndexPage, GalleryPage, GalleryPhoto
from .selectors import ProductCard, card_products, product_card, request_strategy

logger = logging.getLogger(__name__)

Product = get_model("catalogue", "Product")

MAX_HITS = 100  # from each engine
MAX_QUERY_LENGTH = 100
SNIPPET_WORDS = 30
THUMBNAIL = "fill-160x120"

PAGE, PRODUCT = "page", "product"
PAGE_KINDS = {
    BlogPostPage: _("Article"),
    GalleryPage: _("Gallery"),
    BlogIndexPage: _("Journal"),
    GalleryIndexPage: _("Galleries"),
}


@dataclass(frozen=True)
class Hit:
    kind: str  # PAGE or PRODUCT
    pk: int
    score: float  # 0–1, relative to the best hit of the same engine


@dataclass(frozen=True)
class SearchResult:
    kind: str
    label: str  # what the visitor reads: "Article", "Galerie", "Produit"…
    title: str
    url: str
    snippet: str
    picture: Any = None  # a Wagtail image (pages)
    card: ProductCard | None = None  # products: Oscar's image, live price


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def site_search(query: str, request: HttpRequest) -> list[Hit]:
    """Every hit for `query`, pages and products interleaved, best first (at most
    2 × MAX_HITS)."""
    if not query:
        return []
    return interleave(page_hits(query, request), product_hits(query))


def page_hits(query: str, request: HttpRequest) -> list[Hit]:
    # Words only: the database backends hand the query to the engine's own syntax (SQLite's
    # FTS5 fails on a lone double quote and reads AND, OR, NOT, NEAR as operators).
    words = " ".join(re.findall(r"\w+", query)).lower()
    if not words:
        return []
    pages = Page.objects.live().public()
    site = Site.find_for_request(request)
    if site is not None:
        pages = pages.descendant_of(site.root_page, inclusive=True)
    found = list(pages.search(words).annotate_score("_score")[:MAX_HITS])
    hits = _hits(PAGE, [page.pk for page in found], [page._score for page in found])
    return hits + _title_prefix_hits(pages, words, {hit.pk for hit in hits}, MAX_HITS - len(hits))


def _title_prefix_hits(pages, words: str, seen: set[int], room: int) -> list[Hit]:
    """Pages whose title starts with the typed words (Wagtail's autocomplete), after the
    full-text hits. Stems miss forms a visitor types: French Snowball stems "portrait" to
    "portr" but "portraits" to "portrait", and SQLite does not stem at all, so "portrait"
    would not find the "Portraits" gallery without this."""
    if room <= 0:
        return []
    extra = [page.pk for page in pages.autocomplete(words)[:MAX_HITS] if page.pk not in seen]
    extra = extra[:room]
    # Below every full-text hit (their scores are 0–1 with the best at 1), in their order.
    return [Hit(PAGE, pk, 0.5 * (1 - position / len(extra))) for position, pk in enumerate(extra)]


def product_hits(query: str) -> list[Hit]:
    try:
        found = list(
            SearchQuerySet().models(Product).auto_query(query).filter(is_public=True)[:MAX_HITS]
        )
    except Exception:
        # The site's pages still answer when the catalogue's search server does not.
        logger.exception("site search: the product index did not answer")
        return []
    found = [hit for hit in found if hit is not None]
    ids = [int(hit.pk) for hit in found]
    # The index may lag behind the catalogue: the database says what is public right now.
    visible = set(Product.objects.browsable().filter(pk__in=ids).values_list("pk", flat=True))
    kept = [(pk, hit.score) for pk, hit in zip(ids, found, strict=True) if pk in visible]
    return _hits(PRODUCT, [pk for pk, _ in kept], [score for _, score in kept])


def _hits(kind: str, ids: list[int], scores: list[float | None]) -> list[Hit]:
    return [Hit(kind, pk, score) for pk, score in zip(ids, normalised(scores), strict=True)]


def normalised(scores: Sequence[float | None]) -> list[float]:
    """Scores as fractions of the best one (the largest in size: SQLite's best is its most
    negative); by position instead when they are missing, zero or of mixed signs."""
    best = max((abs(s) for s in scores if s is not None), default=0.0)
    signs = {s > 0 for s in scores if s is not None}
    if best and len(signs) == 1 and None not in scores:
        return [abs(s) / best for s in scores]
    count = len(scores)
    return [1 - position / count for position in range(count)]


def interleave(*lists: list[Hit]) -> list[Hit]:
    """One list, best normalised score first; ties keep each engine's order, pages first."""
    ranked = [
        (-hit.score, position, source, hit)
        for source, hits in enumerate(lists)
        for position, hit in enumerate(hits)
    ]
    return [hit for *_, hit in sorted(ranked, key=lambda row: row[:3])]


def load_results(hits: Sequence[Hit], request: HttpRequest) -> list[SearchResult]:
    """The results to show for `hits` (one page of them), in their order."""
    pages = _page_results([hit.pk for hit in hits if hit.kind == PAGE], request)
    products = _product_results([hit.pk for hit in hits if hit.kind == PRODUCT], request)
    found = {PAGE: pages, PRODUCT: products}
    return [found[hit.kind][hit.pk] for hit in hits if hit.pk in found[hit.kind]]


def _snippet(text: str) -> str:
    return Truncator(" ".join(strip_tags(text or "").split())).words(SNIPPET_WORDS)


def _page_results(ids: list[int], request: HttpRequest) -> dict[int, SearchResult]:
    if not ids:
        return {}
    pages = list(Page.objects.filter(pk__in=ids).specific())
    # Pictures: a post's cover, the home page's hero, a gallery's first photo.
    galleries = [page.pk for page in pages if isinstance(page, GalleryPage)]
    first_photo: dict[int, int] = {}
    if galleries:
        photos = GalleryPhoto.objects.filter(page_id__in=galleries).order_by(
            "page_id", "sort_order", "pk"
        )
        for page_id, image_id in photos.values_list("page_id", "image_id"):
            first_photo.setdefault(page_id, image_id)
    picture_ids = {
        page.pk: first_photo.get(page.pk)
        or getattr(page, "cover_image_id", None)
        or getattr(page, "hero_image_id", None)
        for page in pages
    }
    wanted = {pk for pk in picture_ids.values() if pk}
    pictures = {}
    if wanted:
        images = get_image_model().objects.filter(pk__in=wanted).prefetch_renditions(THUMBNAIL)
        pictures = {image.pk: image for image in images}
    return {
        page.pk: SearchResult(
            kind=PAGE,
            label=PAGE_KINDS.get(type(page), _("Page")),
            title=page.title,
            url=page.get_url(request),
            snippet=_snippet(page.search_description or getattr(page, "intro", "")),
            picture=pictures.get(picture_ids[page.pk]),
        )
        for page in pages
    }


def _product_results(ids: list[int], request: HttpRequest) -> dict[int, SearchResult]:
    if not ids:
        return {}
    strategy = request_strategy(request)
    results = {}
    for product in card_products().filter(pk__in=ids):
        card = product_card(product, strategy)
        if card is None:
            continue
        results[product.pk] = SearchResult(
            kind=PRODUCT,
            label=_("Product"),
            title=product.get_title(),
            url=card.url,
            snippet=_snippet(product.description),
            card=card,
        )
    return results
