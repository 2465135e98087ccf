"""Reads for the product page's "in the journal and the galleries" section: the live, public
posts and galleries that feature a shop product.

A post features a product when its body places it (a product block of the product, or of its
parent for a variant; a category block of one of its categories or of their ancestors, since
that block shows the subcategories' products too), or when one of its tags is the name of one
of those categories (case aside). A gallery features it when one of its photos is orderable as
that product. Explicit links come first.

Product and category blocks are found through Wagtail's reference index (`ReferenceIndex`), not
by reading StreamField JSON: Wagtail registers every page model, and a chooser block records
the object it points to (`ChooserBlock.extract_references`), so "which pages place product 12"
is one indexed query on any database. The index is written when a page row is saved — that is,
on publish: a draft that drops the block changes nothing until it is published. Should it ever
be out of date (pages loaded from a raw fixture), `manage.py rebuild_references_index` rebuilds
it. A fixed number of queries whatever the number of posts, galleries or tags."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from oscar.core.loading import get_model
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex

from .models import BlogPostPage, GalleryPage, GalleryPhoto

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")

MAX_POSTS = 4
MAX_GALLERIES = 4
# The renditions the section shows; prefetched with the pictures so that rendering them costs
# no query once they exist.
POST_PICTURE = "fill-320x213"
GALLERY_PICTURE = "fill-320x213"


@dataclass(frozen=True)
class RelatedContent:
    posts: list[BlogPostPage]
    # Each gallery carries `product_photos`: its photos orderable as the product, in order.
    galleries: list[GalleryPage]

    def __bool__(self) -> bool:
        return bool(self.posts or self.galleries)


def related_content(product) -> RelatedContent:
    """The posts (explicitly linked first, then by tag; newest first within each) and the
    galleries (most recently published first) that feature `product`, at most MAX_POSTS and
    MAX_GALLERIES, live and public only."""
    products = [product.pk] + ([product.parent_id] if product.parent_id else [])
    categories = _categories(product.parent_id or product.pk)
    return RelatedContent(
        posts=_posts(products, categories),
        galleries=_galleries(products),
    )


def _categories(product_id: int) -> dict[int, str]:
    """The public categories of the product and their ancestors, by id: their names."""
    paths = Category.objects.filter(product=product_id).values_list("path", flat=True)
    step = Category.steplen
    # A materialised path holds every ancestor's path as a prefix.
    prefixes = {path[:end] for path in paths for end in range(step, len(path) + 1, step)}
    if not prefixes:
        return {}
    return dict(
        Category.objects.filter(path__in=prefixes, is_public=True).values_list("pk", "name")
    )


def _pages_placing(products: list[int], categories: list[int]) -> set[int]:
    """Ids of the pages whose (published) content points at one of `products` or
    `categories`."""
    points_at = Q(
        to_content_type=ContentType.objects.get_for_model(Product),
        to_object_id__in=[str(pk) for pk in products],
    )
    if categories:
        points_at |= Q(
            to_content_type=ContentType.objects.get_for_model(Category),
            to_object_id__in=[str(pk) for pk in categories],
        )
    pages = ReferenceIndex.objects.filter(
        points_at, base_content_type=ContentType.objects.get_for_model(Page)
    )
    return {int(pk) for pk in pages.values_list("object_id", flat=True).distinct()}


def _tags_named(names: list[str]) -> list[int]:
    """Ids of the journal's tags named like one of `names`, case aside. Compared in Python:
    SQLite's LOWER() and LIKE ignore case for ASCII letters only ("Éclairage" ≠ "éclairage"),
    and a journal's tags are a short vocabulary."""
    wanted = {name.casefold() for name in names}
    if not wanted:
        return []
    used = Tag.objects.filter(editorial_blogposttag_items__isnull=False).distinct()
    return [pk for pk, name in used.values_list("pk", "name") if name.casefold() in wanted]


def _posts(products: list[int], categories: dict[int, str]) -> list[BlogPostPage]:
    placing = _pages_placing(products, list(categories))
    tags = _tags_named(list(categories.values()))
    if not placing and not tags:
        return []
    Image = get_image_model()
    posts = (
        BlogPostPage.objects.live()
        .public()
        .filter(Q(pk__in=placing) | Q(tagged_items__tag_id__in=tags))
        .distinct()
        .annotate(
            placed=Case(When(pk__in=placing, then=Value(1)), default=Value(0),
                        output_field=IntegerField())
        )
        .prefetch_related(
            Prefetch("cover_image", queryset=Image.objects.prefetch_renditions(POST_PICTURE))
        )
        .order_by("-placed", "-date", "-pk")
    )
    return list(posts[:MAX_POSTS])


def _galleries(products: list[int]) -> list[GalleryPage]:
    Image = get_image_model()
    photos = (
        GalleryPhoto.objects.filter(print_product_id__in=products)
        .prefetch_related(
            Prefetch("image", queryset=Image.objects.prefetch_renditions(GALLERY_PICTURE))
        )
        .order_by("sort_order")
    )
    galleries = (
        GalleryPage.objects.live()
        .public()
        .filter(photos__print_product_id__in=products)
        .distinct()
        .prefetch_related(Prefetch("photos", queryset=photos, to_attr="product_photos"))
        .order_by("-first_published_at", "-pk")
    )
    return list(galleries[:MAX_GALLERIES])
