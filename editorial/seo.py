"""Reads for the site's pages that the models do not carry: their canonical, social and
schema.org metadata, and the journal's feeds.

Kept apart from `selectors.py`, which the StreamField blocks import and so must not import the
page models (they import the blocks)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.images.models import Image
from wagtail.models import Page

from booker.mail import absolute_url

from .models import (
    BlogCategory,
    BlogIndexPage,
    BlogPostPage,
    GalleryPage,
    HomePage,
    JournalListing,
    LandingPage,
)
from .site.selectors import site_chrome

# What OpenGraph and Twitter cards show best (1.91:1), large enough for the "large image" card.
SOCIAL_RENDITION = "fill-1200x630"
DESCRIPTION_CHARS = 200
HEADLINE_CHARS = 110  # schema.org headlines longer than this are cut by search engines
FEED_LENGTH = 20


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    url: str
    og_type: str  # "article" for a post, "website" otherwise
    site_name: str
    image: str | None = None
    image_alt: str = ""
    feed: BlogIndexPage | None = None  # the journal whose feeds the page links to
    json_ld: dict | None = None
    prev_url: str | None = None  # the neighbouring pages of a paginated list
    next_url: str | None = None
    category: BlogCategory | None = None  # a category page also links to its own feeds


def page_meta(
    page: Page, request: HttpRequest | None, listing: JournalListing | None = None
) -> PageMeta:
    """Title, description, canonical URL and picture of a page as shared on social networks, the
    journal it belongs to, and the schema.org BlogPosting of a post.

    On the journal, `listing` is the list shown (a category's, a tag's, page 2…): its own address
    is the canonical one, so that search engines keep each list and each of its pages."""
    page = page.specific
    image = _social_image(page)
    meta = PageMeta(
        title=page.seo_title or page.title,
        description=_description(page),
        url=page.get_full_url(request) or "",
        og_type="article" if isinstance(page, BlogPostPage) else "website",
        site_name=settings.OSCAR_SHOP_NAME,
        # Renditions are under /media/ locally, already absolute from S3 in production.
        image=absolute_url(_social_rendition(image).url) if image else None,
        image_alt=(image.default_alt_text or image.title) if image else "",
        feed=_journal_of(page),
    )
    if isinstance(page, BlogPostPage):
        meta = replace(meta, json_ld=_blog_posting(page, meta, _publisher(request)))
    if listing is not None and isinstance(page, BlogIndexPage):
        meta = _listing_meta(meta, listing)
    return meta


def _listing_meta(meta: PageMeta, listing: JournalListing) -> PageMeta:
    title = f"{listing.heading} · {meta.title}" if listing.heading else meta.title
    description = Truncator(" ".join(listing.description.split())).chars(DESCRIPTION_CHARS)
    return replace(
        meta,
        title=title,
        description=description or meta.description,
        url=listing.canonical_url,
        prev_url=listing.prev_url,
        next_url=listing.next_url,
        category=listing.category,
    )


def _publisher(request: HttpRequest | None) -> dict:
    """The studio as a schema.org Organization, from the site settings: name, logo, networks."""
    studio = site_chrome(request)
    publisher: dict = {"@type": "Organization", "name": studio.name or settings.OSCAR_SHOP_NAME}
    if studio.logo_url:
        publisher["logo"] = {"@type": "ImageObject", "url": absolute_url(studio.logo_url)}
    if studio.social:
        publisher["sameAs"] = [url for _network, url in studio.social]
    return publisher


def _description(page: Page) -> str:
    # A rich-text intro would bring its markup and line breaks into an attribute.
    text = page.search_description or strip_tags(getattr(page, "intro", "") or "")
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


def _social_image(page: Page) -> Image | None:
    if isinstance(page, BlogPostPage):
        return page.cover_image
    if isinstance(page, (HomePage, LandingPage)):
        return page.hero_image
    if isinstance(page, GalleryPage):
        cover = page.cover
        return cover.image if cover else None
    return None


def _social_rendition(image: Image):
    # get_renditions(), unlike get_rendition(), writes nothing back to the cache when the page
    # prefetched the image's renditions.
    return next(iter(image.get_renditions(SOCIAL_RENDITION).values()))


def _journal_of(page: Page) -> BlogIndexPage | None:
    if page.pk is None:
        return None  # the preview of a page not saved yet has no place in the tree
    if isinstance(page, BlogIndexPage):
        return page
    if isinstance(page, BlogPostPage):
        return BlogIndexPage.objects.live().public().parent_of(page).first()
    if isinstance(page, HomePage):
        return page.live_journal
    return None


def _blog_posting(post: BlogPostPage, meta: PageMeta, publisher: dict) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": Truncator(post.title).chars(HEADLINE_CHARS),
        "description": meta.description,
        "url": meta.url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta.url},
        "datePublished": post.date.isoformat(),
        # A post without a named author is the studio's.
        "author": {"@type": "Person", "name": post.author_name} if post.author_name else publisher,
        "publisher": publisher,
        "inLanguage": settings.LANGUAGE_CODE,
    }
    if post.last_published_at:
        data["dateModified"] = post.last_published_at.isoformat()
    if meta.image:
        data["image"] = [meta.image]
    keywords = [tag.name for tag in post.tag_list]
    if keywords:
        data["keywords"] = keywords
    return data


def feed_journal(index_id: int) -> BlogIndexPage | None:
    """A journal that visitors may read, or None."""
    return BlogIndexPage.objects.live().public().filter(pk=index_id).first()


def feed_category(slug: str) -> BlogCategory | None:
    return BlogCategory.objects.filter(slug=slug).first()


def feed_posts(
    index: BlogIndexPage, limit: int = FEED_LENGTH, category: BlogCategory | None = None
) -> list[BlogPostPage]:
    """The journal's (or one of its categories') latest published posts, the newest first, as
    its list shows them."""
    posts = index.posts(category=category).prefetch_related("tags", "categories")
    return list(posts[:limit])


def post_published_at(post: BlogPostPage) -> datetime:
    """When a feed says a post came out: the start of its date in the site's time zone (the date
    is what editors set and readers see; publishing may come before or after it)."""
    return timezone.make_aware(datetime.combine(post.date, time.min))
