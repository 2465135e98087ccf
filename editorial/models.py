"""The public site's pages: home, journal, history, galleries.

The tree is shallow and fixed: Home → Journal → posts, Home → History, Home → Galleries →
galleries. `parent_page_types`/`subpage_types` keep editors inside that shape."""

from __future__ import annotations

import math

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import StoryBlock, TimelineBlock
from .choosers import product_chooser_viewset

INTRO_FEATURES = ["bold", "italic", "link"]
# French prose read on screen; only used to tell readers roughly how long a post takes.
WORDS_PER_MINUTE = 200
POSTS_PER_PAGE = 10


def _image_fk(**kwargs) -> models.ForeignKey:
    # Deleting a picture from the library must never delete a page.
    return models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **kwargs,
    )


class HomePage(Page):
    hero_title = models.CharField(max_length=200, blank=True)
    hero_image = _image_fk()
    intro = RichTextField(blank=True, features=INTRO_FEATURES)
    body = StreamField(StoryBlock(), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_image")], heading=_("Hero banner")
        ),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "editorial.BlogIndexPage",
        "editorial.HistoryPage",
        "editorial.GalleryIndexPage",
        "editorial_contact.ContactPage",
        "editorial_site.LegalPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["journal"] = BlogIndexPage.objects.live().public().child_of(self).first()
        context["latest_posts"] = (
            BlogPostPage.objects.live().public().descendant_of(self).order_by("-date", "-pk")[:3]
        )
        return context


class BlogIndexPage(Page):
    intro = RichTextField(blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    show_in_menus_default = True
    parent_page_types = ["editorial.HomePage"]
    subpage_types = ["editorial.BlogPostPage"]

    class Meta:
        verbose_name = _("blog index")

    def posts(self, tag: str | None = None) -> models.QuerySet[BlogPostPage]:
        posts = BlogPostPage.objects.live().public().child_of(self)
        if tag:
            posts = posts.filter(tags__name=tag)
        return posts.order_by("-date", "-pk")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        tag = request.GET.get("tag") or None
        paginator = Paginator(self.posts(tag), POSTS_PER_PAGE)
        # get_page() turns a missing, junk or too-large number into a page that exists.
        posts: PaginatorPage = paginator.get_page(request.GET.get("page"))
        context.update(posts=posts, tag=tag)
        return context


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey(
        "editorial.BlogPostPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class BlogPostPage(Page):
    date = models.DateField(_("post date"), default=timezone.localdate)
    author_name = models.CharField(_("author"), max_length=120, blank=True)
    intro = models.TextField(
        blank=True, help_text=_("One or two sentences, shown on the journal's list.")
    )
    cover_image = _image_fk()
    tags = ClusterTaggableManager(through=BlogPostTag, blank=True)
    body = StreamField(StoryBlock(), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author_name"), FieldPanel("tags")],
            heading=_("About this post"),
        ),
        FieldPanel("intro"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    parent_page_types = ["editorial.BlogIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("blog post")

    @property
    def reading_time(self) -> int:
        """Whole minutes, at least one."""
        texts = [self.title, self.intro, *self.body.stream_block.get_searchable_content(self.body)]
        # French typography spaces its colons and semicolons; they are not words.
        words = sum(1 for text in texts for word in text.split() if any(c.isalnum() for c in word))
        return max(1, math.ceil(words / WORDS_PER_MINUTE))


class HistoryPage(Page):
    intro = RichTextField(blank=True, features=INTRO_FEATURES)
    timeline = StreamField(TimelineBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("timeline")]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("timeline"),
    ]

    show_in_menus_default = True
    parent_page_types = ["editorial.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("history page")


class GalleryIndexPage(Page):
    intro = RichTextField(blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    show_in_menus_default = True
    parent_page_types = ["editorial.HomePage"]
    subpage_types = ["editorial.GalleryPage"]

    class Meta:
        verbose_name = _("gallery index")

    def galleries(self) -> models.QuerySet[GalleryPage]:
        return GalleryPage.objects.live().public().child_of(self).prefetch_related("photos__image")


class GalleryPage(Page):
    intro = RichTextField(blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("photos", label=_("Photos"), min_num=1),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["editorial.GalleryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("gallery")

    def photos_with_products(self) -> models.QuerySet[GalleryPhoto]:
        return self.photos.select_related("image", "print_product__product_class")

    @property
    def cover(self) -> GalleryPhoto | None:
        # Iterating keeps a prefetch useful, where .first() would query again.
        return next(iter(self.photos.all()), None)


class GalleryPhoto(Orderable):
    page = ParentalKey(GalleryPage, related_name="photos", on_delete=models.CASCADE)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(max_length=255, blank=True)
    # The shop product a visitor can order this photo as (a print, usually): "Commander ce
    # tirage" under the photo. A product deleted later just removes the link.
    print_product = models.ForeignKey(
        "catalogue.Product", verbose_name=_("product to order"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    panels = [
        FieldPanel("image"),
        FieldPanel("caption"),
        FieldPanel("print_product", widget=product_chooser_viewset.widget_class),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
