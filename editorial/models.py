"""The public site's pages: home, journal, history, galleries.

The tree is shallow and fixed: Home → Journal → posts, Home → History, Home → Galleries →
galleries, Home → landing pages (one per kind of session). `parent_page_types`/`subpage_types`
keep editors inside that shape."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from . import selectors
from .blocks import (
    BUTTON_LABEL_MAX,
    HEADING_MAX,
    ShopShelfBlock,
    StoryBlock,
    TimelineBlock,
    images_in,
    searchable_text,
)
from .choosers import package_chooser_viewset, product_chooser_viewset
from .public_url import PublicUrlMixin

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


def _page_fk(**kwargs) -> models.ForeignKey:
    # A button whose page is deleted loses its link (and hides), the page holding it stays.
    return models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **kwargs,
    )


def _hero_panels() -> list:
    return [
        FieldPanel("hero_title"),
        FieldPanel("intro"),
        FieldPanel(
            "hero_image",
            help_text=_("Set the picture's focal point in the image library: every crop keeps it."),
        ),
    ]


# The home page shows a handful of galleries; more would push the rest of the page away.
FEATURED_GALLERIES_MAX = 6


class HomePage(PublicUrlMixin, Page):
    # The column stays at 200 (older titles may be longer); the form holds new ones shorter.
    hero_title = models.CharField(
        _("hero title"),
        max_length=200,
        blank=True,
        validators=[MaxLengthValidator(HEADING_MAX)],
        help_text=_("Defaults to the page title."),
    )
    hero_image = _image_fk(verbose_name=_("hero image"))
    intro = RichTextField(_("hero text"), blank=True, features=INTRO_FEATURES)
    hero_button_label = models.CharField(
        _("button label"), max_length=BUTTON_LABEL_MAX, blank=True
    )
    hero_button_page = _page_fk(verbose_name=_("button links to"))
    featured_products = StreamField(
        ShopShelfBlock(),
        blank=True,
        verbose_name=_("featured products"),
        help_text=_("Products or shop categories, in the order shown."),
    )
    booking_text = models.CharField(
        _("call to book text"),
        max_length=200,
        blank=True,
        help_text=_("The band near the bottom of the page; hidden when empty."),
    )
    booking_button_label = models.CharField(
        _("call to book button label"), max_length=BUTTON_LABEL_MAX, blank=True
    )
    booking_page = _page_fk(
        verbose_name=_("call to book links to"),
        help_text=_("Usually a landing page of a session type, or the contact page."),
    )
    body = StreamField(StoryBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [*_hero_panels(), FieldPanel("hero_button_label"), FieldPanel("hero_button_page")],
            heading=_("Hero banner"),
        ),
        InlinePanel(
            "featured_galleries",
            heading=_("Featured galleries"),
            label=_("gallery"),
            max_num=FEATURED_GALLERIES_MAX,
        ),
        FieldPanel("featured_products"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("booking_text"),
                FieldPanel("booking_button_label"),
                FieldPanel("booking_page"),
            ],
            heading=_("Call to book"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "editorial.BlogIndexPage",
        "editorial.HistoryPage",
        "editorial.GalleryIndexPage",
        "editorial.LandingPage",
        "editorial_contact.ContactPage",
        "editorial_site.LegalPage",
    ]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def clean(self) -> None:
        super().clean()
        if self.hero_button_label and not self.hero_button_page_id:
            raise ValidationError(
                {"hero_button_page": _("A button needs a page to go to.")}
            )
        if self.booking_text and not self.booking_page_id:
            raise ValidationError(
                {"booking_page": _("The call to book needs a page to go to.")}
            )

    @cached_property
    def live_journal(self) -> BlogIndexPage | None:
        """The journal visitors may read; kept on the page, which asks for it twice per render
        (its "latest posts" link and the feed link of its meta tags)."""
        return BlogIndexPage.objects.live().public().child_of(self).first()

    def galleries_to_show(self) -> list[GalleryPage]:
        """The featured galleries still live, in the editor's order, with their cover photo."""
        # Read through the relation (not a join) so a preview shows the unsaved choice.
        ids = [featured.gallery_id for featured in self.featured_galleries.all()]
        if not ids:
            return []
        photos = GalleryPhoto.objects.select_related("image").order_by("sort_order")
        galleries = GalleryPage.objects.live().public().filter(pk__in=ids)
        found = {g.pk: g for g in galleries.prefetch_related(Prefetch("photos", queryset=photos))}
        return [found[pk] for pk in ids if pk in found]

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["journal"] = self.live_journal
        latest_posts = list(
            BlogPostPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("cover_image")
            .prefetch_related("categories")
            .order_by("-date", "-pk")[:3]
        )
        galleries = self.galleries_to_show()
        context["latest_posts"], context["featured_galleries"] = latest_posts, galleries
        # Every picture of the page (the hero, also the social image; the body's; the cards'),
        # with their renditions in one query.
        selectors.with_renditions([
            self.hero_image,
            *images_in(self.body),
            *(post.cover_image for post in latest_posts),
            *(gallery.cover.image for gallery in galleries if gallery.cover),
        ])
        context["hero_button_url"] = _live_url(self.hero_button_page, request)
        context["hero_button_label"] = self.hero_button_label
        if context["hero_button_url"] is None and context["journal"] is not None:
            # Without a chosen button the hero still leads somewhere: the journal.
            context["hero_button_url"] = context["journal"].get_url(request)
            context["hero_button_label"] = _("Read the journal")
        context["booking_url"] = _live_url(self.booking_page, request)
        return context


def _live_url(page: Page | None, request: HttpRequest | None) -> str | None:
    return page.get_url(request) if page is not None and page.live else None


class HomeFeaturedGallery(Orderable):
    page = ParentalKey(HomePage, related_name="featured_galleries", on_delete=models.CASCADE)
    gallery = models.ForeignKey(
        "editorial.GalleryPage", verbose_name=_("gallery"), on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("gallery")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured gallery")
        verbose_name_plural = _("featured galleries")


class BlogCategory(models.Model):
    """A section of the journal ("Mariage", "Coulisses"): a post belongs to a few, each has its
    own page on the journal. Unlike tags, editors keep the list short and named with care."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, allow_unicode=False,
        help_text=_("The end of the category's address: /journal/categorie/<slug>/."),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown at the top of the category's page.")
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("blog category")
        verbose_name_plural = _("blog categories")

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class JournalListing:
    """One list of the journal's posts (all of them, a category's, a tag's), one page of it,
    with the addresses its head links to."""

    posts: PaginatorPage
    first_page_url: str  # absolute, without ?page=
    heading: str = ""  # the category's or tag's name; empty for the whole journal
    description: str = ""
    category: BlogCategory | None = None
    tag: Tag | None = None

    def page_url(self, number: int) -> str:
        return self.first_page_url if number <= 1 else f"{self.first_page_url}?page={number}"

    @property
    def canonical_url(self) -> str:
        return self.page_url(self.posts.number)

    @property
    def prev_url(self) -> str | None:
        posts = self.posts
        return self.page_url(posts.previous_page_number()) if posts.has_previous() else None

    @property
    def next_url(self) -> str | None:
        posts = self.posts
        return self.page_url(posts.next_page_number()) if posts.has_next() else None


def journal_route_url(
    journal: Page, route: str, slug: str, request: HttpRequest | None = None
) -> str:
    """The address of a journal's "category" or "tag" page. Takes the journal as any Page: a
    post's parent comes back as a plain one, and making it specific would cost a query."""
    return (journal.get_url(request) or "") + BlogIndexPage.get_resolver().reverse(route, slug)


class BlogIndexPage(PublicUrlMixin, RoutablePageMixin, Page):
    """The journal: its posts ten a page, and the same list narrowed to a category
    (/journal/categorie/<slug>/) or a tag (/journal/tag/<slug>/)."""

    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    show_in_menus_default = True
    parent_page_types = ["editorial.HomePage"]
    subpage_types = ["editorial.BlogPostPage"]

    class Meta:
        verbose_name = _("blog index")
        verbose_name_plural = _("blog indexes")

    def posts(
        self, tag: str | None = None, category: BlogCategory | None = None
    ) -> models.QuerySet[BlogPostPage]:
        posts = BlogPostPage.objects.live().public().child_of(self)
        if tag:
            posts = posts.filter(tags__name=tag)
        if category is not None:
            posts = posts.filter(categories=category)
        return posts.order_by("-date", "-pk")

    def categories_with_counts(self) -> list[BlogCategory]:
        """The categories that have posts visitors can read here, by name, each with its
        `post_count` and `lastmod` (its latest publication): one query whatever their number."""
        readable = Q(posts__in=BlogPostPage.objects.live().public().child_of(self).values("pk"))
        return list(
            BlogCategory.objects.annotate(
                post_count=Count("posts", filter=readable, distinct=True),
                lastmod=Max("posts__last_published_at", filter=readable),
            )
            .filter(post_count__gt=0)
            .order_by("name")
        )

    def tags_with_posts(self) -> list[Tag]:
        """The tags of posts visitors can read here, by slug, each with its `lastmod` (its
        latest publication): one query whatever their number."""
        readable = BlogPostPage.objects.live().public().child_of(self).values("pk")
        return list(
            Tag.objects.filter(editorial_blogposttag_items__content_object__in=readable)
            .annotate(lastmod=Max("editorial_blogposttag_items__content_object__last_published_at"))
            .order_by("slug")
        )

    def tag_url(self, slug: str, request: HttpRequest | None = None) -> str:
        return journal_route_url(self, "tag", slug, request)

    def _listing(
        self, request: HttpRequest, posts: models.QuerySet[BlogPostPage], subpath: str = "",
        **about,
    ) -> JournalListing:
        # Cards show each post's categories and cover: fetched for the whole page at once.
        posts = posts.select_related("cover_image").prefetch_related("categories")
        # get_page() turns a missing, junk or too-large number into a page that exists.
        page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
        return JournalListing(
            posts=page, first_page_url=(self.get_full_url(request) or "") + subpath, **about
        )

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        listing = kwargs.get("listing") or self._listing(request, self.posts())
        context.update(
            journal=self,
            listing=listing,
            posts=listing.posts,
            tag=listing.tag.name if listing.tag else None,
            category=listing.category,
            categories=self.categories_with_counts(),
        )
        return context

    def _render_listing(self, request: HttpRequest, listing: JournalListing) -> HttpResponse:
        # Not self.render(): it would build the whole journal's listing before replacing it.
        request.is_preview = getattr(request, "is_preview", False)
        return TemplateResponse(
            request, self.get_template(request), self.get_context(request, listing=listing)
        )

    @path("")
    def index_route(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        tag_name = request.GET.get("tag")
        if tag_name:
            # The old filtered list (?tag=name) lives on at the tag's own page.
            tag = Tag.objects.filter(name=tag_name).first()
            if tag is None:
                raise Http404
            url = self.tag_url(tag.slug, request)
            page = request.GET.get("page")
            return HttpResponsePermanentRedirect(f"{url}?page={page}" if page else url)
        return super().index_route(request, *args, **kwargs)

    @path("categorie/<slug:slug>/", name="category")
    def category_route(self, request: HttpRequest, slug: str) -> HttpResponse:
        category = BlogCategory.objects.filter(slug=slug).first()
        if category is None:
            raise Http404
        listing = self._listing(
            request,
            self.posts(category=category),
            self.reverse_subpage("category", args=[slug]),
            heading=category.name,
            description=category.description,
            category=category,
        )
        return self._render_listing(request, listing)

    # Not <slug:>, which is ASCII only: taggit slugs "Église" to "église" (tags are typed
    # by editors, in French), and a post's link to its tag page must not fail on it.
    @re_path(r"^tag/(?P<slug>[-\w]+)/$", name="tag")
    def tag_route(self, request: HttpRequest, slug: str) -> HttpResponse:
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            raise Http404
        listing = self._listing(
            request,
            self.posts(tag=tag.name),
            self.reverse_subpage("tag", args=[slug]),
            heading=tag.name,
            tag=tag,
        )
        return self._render_listing(request, listing)

    def get_sitemap_urls(self, request: HttpRequest | None = None) -> list[dict]:
        """The journal, then each category page and each tag page that has posts to read."""
        urls = super().get_sitemap_urls(request)
        base = self.get_full_url(request)
        if base:
            routes = [("category", self.categories_with_counts()), ("tag", self.tags_with_posts())]
            urls += [
                {
                    "location": base + self.reverse_subpage(route, args=[item.slug]),
                    "lastmod": item.lastmod,
                }
                for route, items in routes
                for item in items
            ]
        return urls


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey(
        "editorial.BlogPostPage", related_name="tagged_items", on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("post tag")
        verbose_name_plural = _("post tags")


class BlogPostPage(PublicUrlMixin, Page):
    date = models.DateField(_("post date"), default=timezone.localdate)
    author_name = models.CharField(_("author"), max_length=120, blank=True)
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("One or two sentences, shown on the journal's list."),
    )
    cover_image = _image_fk(verbose_name=_("cover image"))
    tags = ClusterTaggableManager(through=BlogPostTag, blank=True)
    categories = ParentalManyToManyField(
        BlogCategory,
        verbose_name=_("categories"),
        blank=True,
        related_name="posts",
        help_text=_("The journal's sections this post appears in."),
    )
    body = StreamField(StoryBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("author_name"),
                FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
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
        verbose_name_plural = _("blog posts")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        # The cover (also the social image) and the body's pictures, in one query.
        selectors.with_renditions([self.cover_image, *images_in(self.body)])
        return context

    @cached_property
    def tag_list(self) -> list:
        """The post's tags, read once per render: its footer and its schema.org keywords."""
        return list(self.tags.all())

    @property
    def reading_time(self) -> int:
        """Whole minutes, at least one."""
        body = searchable_text(self.body.stream_block, list(self.body.raw_data))
        texts = [self.title, self.intro, *body]
        # French typography spaces its colons and semicolons; they are not words.
        words = sum(1 for text in texts for word in text.split() if any(c.isalnum() for c in word))
        return max(1, math.ceil(words / WORDS_PER_MINUTE))


class HistoryPage(PublicUrlMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)
    timeline = StreamField(TimelineBlock(), blank=True, verbose_name=_("timeline"))

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
        verbose_name_plural = _("history pages")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        selectors.with_renditions(images_in(self.timeline))  # every event's picture at once
        return context


class GalleryIndexPage(PublicUrlMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    show_in_menus_default = True
    parent_page_types = ["editorial.HomePage"]
    subpage_types = ["editorial.GalleryPage"]

    class Meta:
        verbose_name = _("gallery index")
        verbose_name_plural = _("gallery indexes")

    def galleries(self) -> models.QuerySet[GalleryPage]:
        return GalleryPage.objects.live().public().child_of(self).prefetch_related("photos__image")


class GalleryPage(PublicUrlMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=INTRO_FEATURES)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        # The label names one item: the button reads "Add <label>" (editorial/wagtail_msgids.py).
        InlinePanel("photos", heading=_("Photos"), label=_("photo"), min_num=1),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["editorial.GalleryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("gallery")
        verbose_name_plural = _("galleries")

    def photos_with_products(self) -> models.QuerySet[GalleryPhoto]:
        return self.photos.select_related(
            "image", "print_product__product_class"
        ).prefetch_related("image__renditions")

    @property
    def cover(self) -> GalleryPhoto | None:
        # Iterating keeps a prefetch useful, where .first() would query again.
        return next(iter(self.photos.all()), None)


class GalleryPhoto(Orderable):
    page = ParentalKey(GalleryPage, related_name="photos", on_delete=models.CASCADE)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE,
        related_name="+",
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)
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
        verbose_name_plural = _("photos")


class LandingPage(PublicUrlMixin, Page):
    """The page of one kind of session ("Portraits corporate", "Mariage"): what it is, the
    package and its price today, and a button to book."""

    hero_title = models.CharField(
        _("hero title"),
        max_length=HEADING_MAX,
        blank=True,
        help_text=_("Defaults to the page title."),
    )
    hero_image = _image_fk(verbose_name=_("hero image"))
    intro = RichTextField(_("hero text"), blank=True, features=INTRO_FEATURES)
    body = StreamField(StoryBlock(), blank=True, verbose_name=_("body"))
    package = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("session package"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown with its price today, VAT included."),
    )
    booking_label = models.CharField(
        _("booking button label"),
        max_length=BUTTON_LABEL_MAX,
        blank=True,
        help_text=_('Defaults to "Book now" ("Réserver").'),
    )
    booking_page = _page_fk(verbose_name=_("booking page"))
    booking_url = models.URLField(
        _("or booking address"),
        blank=True,
        help_text=_("Without a page or an address, the button goes to the contact page."),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(_hero_panels(), heading=_("Hero banner")),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("package", widget=package_chooser_viewset.widget_class),
                FieldPanel("booking_label"),
                FieldPanel("booking_page"),
                FieldPanel("booking_url"),
            ],
            heading=_("Package and booking"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["editorial.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("landing page")
        verbose_name_plural = _("landing pages")

    def clean(self) -> None:
        super().clean()
        if self.booking_page_id and self.booking_url:
            message = _("Choose a booking page or an address, not both.")
            raise ValidationError({"booking_page": message, "booking_url": message})

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        strategy = selectors.request_strategy(request)
        # The hero (also the social image) and the body's pictures, in one query.
        selectors.with_renditions([self.hero_image, *images_in(self.body)])
        context["package"] = selectors.package_card(
            selectors.package(self.package_id), strategy
        )
        context["booking_url"] = selectors.booking_link(
            self.booking_page, self.booking_url, request
        )
        return context
