"""The journal's RSS 2.0 and Atom feeds: its latest published posts, the newest first; and the
same for each of its categories."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from booker.mail import absolute_url

from . import seo
from .models import BlogCategory, BlogIndexPage, BlogPostPage


class BlogRssFeed(Feed):
    """Made for one request (see `rss`): links are the pages' full URLs on the site's public
    address (SITE_URL), as their canonical links give them; the request saves Wagtail a lookup
    per item where Django's Feed only passes the item."""

    feed_type = Rss201rev2Feed

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.category: BlogCategory | None = None

    def get_object(
        self, request: HttpRequest, index_id: int, category_slug: str | None = None
    ) -> BlogIndexPage:
        index = seo.feed_journal(index_id)
        if index is None:
            raise Http404
        if category_slug is not None:
            self.category = seo.feed_category(category_slug)
            if self.category is None:
                raise Http404
        return index

    def title(self, index: BlogIndexPage) -> str:
        title = index.seo_title or index.title
        return f"{title} · {self.category.name}" if self.category else title

    def link(self, index: BlogIndexPage) -> str:
        url = index.get_full_url(self.request)
        if self.category:
            url += index.reverse_subpage("category", args=[self.category.slug])
        return url

    def description(self, index: BlogIndexPage) -> str:
        if self.category and self.category.description:
            return self.category.description
        return seo.page_meta(index, self.request).description

    def feed_url(self, index: BlogIndexPage) -> str:
        # Django would put the sites framework's domain here; the request's host may be an
        # internal one. The feed's own address is on SITE_URL, as its entries' are.
        return absolute_url(self.request.get_full_path())

    def items(self, index: BlogIndexPage) -> list[BlogPostPage]:
        return seo.feed_posts(index, category=self.category)

    def item_title(self, post: BlogPostPage) -> str:
        return post.title

    def item_description(self, post: BlogPostPage) -> str:
        return post.search_description or post.intro

    def item_link(self, post: BlogPostPage) -> str:
        return post.get_full_url(self.request)

    def item_guid(self, post: BlogPostPage) -> str:
        return post.get_full_url(self.request)

    def item_pubdate(self, post: BlogPostPage) -> datetime:
        return seo.post_published_at(post)

    def item_updateddate(self, post: BlogPostPage) -> datetime | None:
        return post.last_published_at

    def item_author_name(self, post: BlogPostPage) -> str | None:
        return post.author_name or None

    def item_categories(self, post: BlogPostPage) -> list[str]:
        return [category.name for category in post.categories.all()] + [
            tag.name for tag in post.tags.all()
        ]


class BlogAtomFeed(BlogRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, index: BlogIndexPage) -> str:
        return self.description(index)


def rss(request: HttpRequest, index_id: int) -> HttpResponse:
    return BlogRssFeed(request)(request, index_id=index_id)


def atom(request: HttpRequest, index_id: int) -> HttpResponse:
    return BlogAtomFeed(request)(request, index_id=index_id)


def category_rss(request: HttpRequest, index_id: int, category_slug: str) -> HttpResponse:
    return BlogRssFeed(request)(request, index_id=index_id, category_slug=category_slug)


def category_atom(request: HttpRequest, index_id: int, category_slug: str) -> HttpResponse:
    return BlogAtomFeed(request)(request, index_id=index_id, category_slug=category_slug)
